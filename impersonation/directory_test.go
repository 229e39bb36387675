package impersonation_test

import (
	"context"
	"sync"

	"github.com/tenantry/tenantry/impersonation"
)

// testDirectory is an in-memory impersonation.Directory for this package's
// tests, keyed by platform like a real one.
type testDirectory struct {
	mu       sync.Mutex
	users    map[[2]string]impersonation.User
	accounts map[[2]string]impersonation.Account
	members  map[[3]string]bool
	assigned map[[3]string]bool
}

func newTestDirectory() *testDirectory {
	return &testDirectory{
		users:    map[[2]string]impersonation.User{},
		accounts: map[[2]string]impersonation.Account{},
		members:  map[[3]string]bool{},
		assigned: map[[3]string]bool{},
	}
}

func (d *testDirectory) putUser(pid string, u impersonation.User) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.users[[2]string{pid, u.ID}] = u
}

func (d *testDirectory) putAccount(pid string, a impersonation.Account) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.accounts[[2]string{pid, a.ID}] = a
}

func (d *testDirectory) addMember(pid, accountID, userID string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.members[[3]string{pid, accountID, userID}] = true
}

func (d *testDirectory) assign(pid, accountID, operatorID string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.assigned[[3]string{pid, accountID, operatorID}] = true
}

// update changes a stored user or account in place.
func (d *testDirectory) updateUser(pid, id string, fn func(*impersonation.User)) {
	d.mu.Lock()
	defer d.mu.Unlock()
	u := d.users[[2]string{pid, id}]
	fn(&u)
	d.users[[2]string{pid, id}] = u
}

func (d *testDirectory) updateAccount(pid, id string, fn func(*impersonation.Account)) {
	d.mu.Lock()
	defer d.mu.Unlock()
	a := d.accounts[[2]string{pid, id}]
	fn(&a)
	d.accounts[[2]string{pid, id}] = a
}

func (d *testDirectory) User(_ context.Context, pid, id string) (impersonation.User, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	u, ok := d.users[[2]string{pid, id}]
	if !ok {
		return u, impersonation.ErrNotFound
	}
	return u, nil
}

func (d *testDirectory) Account(_ context.Context, pid, id string) (impersonation.Account, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	a, ok := d.accounts[[2]string{pid, id}]
	if !ok {
		return a, impersonation.ErrNotFound
	}
	return a, nil
}

func (d *testDirectory) IsMember(_ context.Context, pid, accountID, userID string) (bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.members[[3]string{pid, accountID, userID}], nil
}

func (d *testDirectory) IsAssigned(_ context.Context, pid, accountID, operatorID string) (bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.assigned[[3]string{pid, accountID, operatorID}], nil
}
