package memstore

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/tenantry/tenantry/tenancy"
)

// ListAccounts returns up to q.Limit accounts matching q (every match when
// q.Limit <= 0) in q.Sort order, strictly after q.After when set.
//
// tenancy.SortNewest (also used for an empty Sort) orders by CreatedAt
// then ID, both descending; tenancy.SortName by lowercase name then ID,
// both ascending. For SortName the cursor's Name is compared lowercased, so
// a cursor may carry the account's name as it is.
func (s *Store) ListAccounts(_ context.Context, q tenancy.AccountQuery) ([]tenancy.Account, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	pd := s.platforms[q.PlatformID]
	if pd == nil {
		return nil, nil
	}
	order := accountOrder(q.Sort)
	var after tenancy.Account
	if q.After != nil {
		after = tenancy.Account{ID: q.After.ID, Name: q.After.Name, CreatedAt: q.After.CreatedAt}
	}
	search := strings.ToLower(q.Search)
	var out []tenancy.Account
	for _, a := range pd.accounts {
		if pd.matchAccount(q, search, a) && (q.After == nil || order(a, after) > 0) {
			out = append(out, a)
		}
	}
	slices.SortFunc(out, order)
	out = limit(out, q.Limit)
	for i := range out {
		out[i] = cloneAccount(out[i])
	}
	return out, nil
}

// accountOrder returns the comparison of an account listing sorted by
// sort.
func accountOrder(sort tenancy.AccountSort) func(a, b tenancy.Account) int {
	if sort == tenancy.SortName {
		return func(a, b tenancy.Account) int {
			return cmp.Or(
				strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)),
				strings.Compare(a.ID, b.ID))
		}
	}
	return func(a, b tenancy.Account) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), strings.Compare(b.ID, a.ID))
	}
}

// matchAccount reports whether a passes every filter of q; search is
// q.Search lowercased.
func (pd *platformData) matchAccount(q tenancy.AccountQuery, search string, a tenancy.Account) bool {
	switch {
	case q.Status != "" && a.Status != q.Status,
		!q.IncludeLocked && a.Locked,
		!matchTest(q.Test, q.Now, a),
		q.OperatorID != "" && !pd.isAssigned(a.ID, q.OperatorID),
		q.OnlyInSetup && !a.InSetup(),
		q.OnlyTemplates && !a.Template,
		q.Tag != "" && !a.HasTag(q.Tag),
		q.Plan != "" && a.Plan != q.Plan,
		search != "" && !containsFold(search, a.Name, a.Email, a.Nickname, a.UID):
		return false
	}
	return true
}

// matchTest reports whether a passes the test filter f at now; an unknown
// filter keeps nothing.
func matchTest(f tenancy.TestFilter, now time.Time, a tenancy.Account) bool {
	switch f {
	case tenancy.AnyAccount:
		return true
	case tenancy.TestAccounts:
		return a.IsTest()
	case tenancy.TestRunning:
		return a.IsTest() && now.Before(a.TestExpiresAt)
	case tenancy.TestExpired:
		return a.TestExpired(now)
	}
	return false
}
