package branding_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/branding"
	"github.com/tenantry/tenantry/branding/memstore"
)

// A platform sets its colours (checked for contrast), serves them as CSS,
// and routes requests by host: its default host redirects to its verified
// primary domain.
func Example() {
	svc := branding.New(memstore.New(nil), nil)
	ctx := audit.WithPrincipal(context.Background(), audit.Principal{PlatformID: "p1", UserID: "owner"})

	saved, err := svc.SetTheme(ctx, branding.Theme{
		PlatformID: "p1",
		Colors:     branding.Colors{Sidebar: "#0B3D91", SidebarText: "#FFF", Button: "rgb(255, 200, 0)", ButtonText: "#ffffff"},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("sidebar:", saved.Theme.Colors.Sidebar)
	for _, issue := range saved.Issues {
		fmt.Println("warning:", issue)
	}

	// The host adds the platform's own host when it creates the platform.
	if _, err := svc.AddDefaultHost(ctx, "p1", "acme.product.example"); err != nil {
		panic(err)
	}
	router := svc.NewRouter(nil)
	app := router.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := branding.PlatformFrom(r.Context())
		fmt.Fprint(w, "platform ", p)
	}))
	req := httptest.NewRequest("GET", "/login?next=%2F", nil)
	req.Host = "ACME.product.example:443"
	w := httptest.NewRecorder()
	app.ServeHTTP(w, req)
	fmt.Println(w.Code, w.Body.String())
	// Output:
	// sidebar: #0b3d91
	// warning: button_text on button: contrast 1.55:1, below 4.50:1
	// 200 platform p1
}
