package main

import "github.com/tenantry/tenantry/tenancy"

// demoAccount describes one account of the demo platform. Times are in
// whole days relative to the moment of seeding.
type demoAccount struct {
	Name, Nickname, Email, Plan string
	Tags                        []string
	Note                        string
	Contact                     tenancy.Contact
	Language, TimeZone          string
	Sites                       []string
	// DaysAgo is when the account was created; at least 1.
	DaysAgo int
	// TestEndsIn, when not zero, makes a test account whose trial ends that
	// many days from now (negative: it ended that many days ago).
	TestEndsIn int
	// StepsDone counts the onboarding steps done (see onboardingSteps);
	// Complete marks setup complete.
	StepsDone int
	Complete  bool

	Disabled, Locked, Secure, Template bool
	// Team lists the emails of team members (users of demoTeam).
	Team []string
}

// onboardingSteps are the setup wizard's steps, as the host (this demo)
// names them, in order.
var onboardingSteps = []string{"business_profile", "branding", "first_chatbot", "widget_installed", "team_invited"}

// demoTeam are regular users who are team members of some demo accounts,
// with their permissions.
var demoTeam = []struct {
	Email, Name string
	Permissions []string
}{
	{"maria.lopez@northwind.example", "María López", []string{tenancy.PermLiveChat, tenancy.PermLeads}},
	{"tom.becker@northwind.example", "Tom Becker", []string{tenancy.PermAnalytics, tenancy.PermBots, tenancy.PermSettings}},
	{"aiko.sato@sakura-dental.example", "Aiko Sato", []string{tenancy.PermLiveChat}},
}

// demoAccounts are the accounts seeded on first start: every state the
// accounts page shows, on three plans.
var demoAccounts = []demoAccount{
	{Name: "Northwind Traders", Nickname: "northwind", Email: "hello@northwind.example", Plan: "Agency",
		Tags: []string{"retail", "vip"}, Note: "Pays yearly by invoice. Main contact: Anna (CEO).",
		Contact:  tenancy.Contact{Address: "12 Harbour Road, Bristol BS1 4QA, UK", Phone: "+44 117 496 0123", Website: "https://northwind.example"},
		Language: "en-GB", TimeZone: "Europe/London", Sites: []string{"https://northwind.example", "https://shop.northwind.example"},
		DaysAgo: 240, StepsDone: 5, Complete: true, Team: []string{"maria.lopez@northwind.example", "tom.becker@northwind.example"}},
	{Name: "Sakura Dental Clinic", Nickname: "sakura-dental", Email: "office@sakura-dental.example", Plan: "Pro",
		Tags: []string{"healthcare", "hipaa"}, Note: "Handles patient data: secure account, secure operators only.",
		Contact:  tenancy.Contact{Address: "3-5-1 Shibuya, Tokyo 150-0002, Japan", Phone: "+81 3 1234 5678", Website: "https://sakura-dental.example"},
		Language: "ja", TimeZone: "Asia/Tokyo", Sites: []string{"https://sakura-dental.example/booking"},
		DaysAgo: 201, StepsDone: 5, Complete: true, Secure: true, Team: []string{"aiko.sato@sakura-dental.example"}},
	{Name: "Blue Harbor Realty", Nickname: "blue-harbor", Email: "team@blueharbor.example", Plan: "Pro",
		Tags: []string{"real-estate"}, Note: "Wants a second bot for rentals in Q3.",
		Contact:  tenancy.Contact{Address: "88 Ocean Ave, Santa Monica, CA 90401, USA", Phone: "+1 (310) 555-0142", Website: "https://blueharbor.example"},
		Language: "en-US", TimeZone: "America/Los_Angeles", Sites: []string{"https://blueharbor.example"},
		DaysAgo: 187, StepsDone: 5, Complete: true},
	{Name: "Boulangerie Lefèvre", Nickname: "lefevre", Email: "contact@lefevre.example", Plan: "Starter",
		Tags: []string{"food", "local"}, Note: "Prefers French for every email.",
		Contact:  tenancy.Contact{Address: "7 rue des Martyrs, 75009 Paris, France", Phone: "+33 1 23 45 67 89"},
		Language: "fr", TimeZone: "Europe/Paris", DaysAgo: 176, StepsDone: 4, Complete: true},
	{Name: "Müller & Söhne Handwerk", Nickname: "mueller-soehne", Email: "info@mueller-soehne.example", Plan: "Starter",
		Tags: []string{"trades"}, Note: "Payment failed twice; disabled until the card is updated.",
		Contact:  tenancy.Contact{Address: "Hauptstraße 21, 80331 München, Deutschland", Phone: "+49 89 123456"},
		Language: "de", TimeZone: "Europe/Berlin", DaysAgo: 170, StepsDone: 3, Complete: true, Disabled: true},
	{Name: "Template: Restaurant", Nickname: "tpl-restaurant", Email: "templates+restaurant@demo.example", Plan: "Starter",
		Tags: []string{"food", "template"}, Note: "Booking bot, menu FAQ and opening hours. Copy it for new restaurants.",
		Language: "en", TimeZone: "UTC", DaysAgo: 165, StepsDone: 5, Complete: true, Template: true},
	{Name: "Template: Clinic", Nickname: "tpl-clinic", Email: "templates+clinic@demo.example", Plan: "Pro",
		Tags: []string{"healthcare", "template"}, Note: "Appointment bot with reminders. Copy it for new clinics.",
		Language: "en", TimeZone: "UTC", DaysAgo: 160, StepsDone: 5, Complete: true, Template: true},
	{Name: "Casa Verde Inmobiliaria", Nickname: "casa-verde", Email: "hola@casaverde.example", Plan: "Pro",
		Tags: []string{"real-estate"}, Contact: tenancy.Contact{Address: "Calle Mayor 10, 28013 Madrid, España", Phone: "+34 912 345 678", Website: "https://casaverde.example"},
		Language: "es", TimeZone: "Europe/Madrid", Sites: []string{"https://casaverde.example"}, DaysAgo: 152, StepsDone: 5, Complete: true},
	{Name: "Redwood Legal LLP", Nickname: "redwood-legal", Email: "admin@redwoodlegal.example", Plan: "Agency",
		Tags: []string{"legal", "vip"}, Note: "Locked at the client's request during an internal audit. Do not unlock without written notice.",
		Contact:  tenancy.Contact{Address: "500 Market St, San Francisco, CA 94105, USA", Phone: "+1 415 555 0199"},
		Language: "en-US", TimeZone: "America/Los_Angeles", DaysAgo: 145, StepsDone: 5, Complete: true, Locked: true},
	{Name: "Fjord Outdoor Gear", Nickname: "fjord-outdoor", Email: "post@fjord.example", Plan: "Pro",
		Tags: []string{"retail"}, Contact: tenancy.Contact{Address: "Karl Johans gate 5, 0154 Oslo, Norge", Phone: "+47 22 12 34 56", Website: "https://fjord.example"},
		Language: "nb", TimeZone: "Europe/Oslo", Sites: []string{"https://fjord.example"}, DaysAgo: 133, StepsDone: 5, Complete: true},
	{Name: "Ponte Vecchio Travel", Nickname: "ponte-vecchio", Email: "info@pontevecchio.example", Plan: "Starter",
		Tags: []string{"travel"}, Note: "Seasonal: busy April to October.",
		Contact:  tenancy.Contact{Address: "Via de' Bardi 2, 50125 Firenze, Italia", Phone: "+39 055 123 4567"},
		Language: "it", TimeZone: "Europe/Rome", DaysAgo: 121, StepsDone: 2},
	{Name: "Sunrise Yoga Studio", Nickname: "sunrise-yoga", Email: "namaste@sunriseyoga.example", Plan: "Starter",
		Tags: []string{"fitness", "local"}, Contact: tenancy.Contact{Phone: "+61 2 9876 5432", Website: "https://sunriseyoga.example"},
		Language: "en-AU", TimeZone: "Australia/Sydney", Sites: []string{"https://sunriseyoga.example/classes"}, DaysAgo: 110, StepsDone: 5, Complete: true},
	{Name: "Atlas Logistics", Nickname: "atlas-logistics", Email: "ops@atlaslogistics.example", Plan: "Agency",
		Tags: []string{"logistics", "vip"}, Note: "Abuse report (spam links) under review; locked and disabled.",
		Contact:  tenancy.Contact{Address: "Rotterdam Port, Netherlands", Phone: "+31 10 123 4567"},
		Language: "nl", TimeZone: "Europe/Amsterdam", DaysAgo: 98, StepsDone: 5, Complete: true, Locked: true, Disabled: true},
	{Name: "Green Leaf Pharmacy", Nickname: "green-leaf", Email: "care@greenleaf.example", Plan: "Pro",
		Tags: []string{"healthcare", "hipaa"}, Contact: tenancy.Contact{Address: "45 King St W, Toronto, ON, Canada", Phone: "+1 416 555 0175"},
		Language: "en-CA", TimeZone: "America/Toronto", DaysAgo: 90, StepsDone: 3, Secure: true},
	{Name: "Pixel Forge Agency", Nickname: "pixel-forge", Email: "studio@pixelforge.example", Plan: "Agency",
		Tags: []string{"agency", "partner"}, Note: "Resells to 12 of its own clients; ask before changing plan.",
		Contact:  tenancy.Contact{Address: "Rua Augusta 100, São Paulo, Brasil", Phone: "+55 11 91234 5678", Website: "https://pixelforge.example"},
		Language: "pt-BR", TimeZone: "America/Sao_Paulo", Sites: []string{"https://pixelforge.example"}, DaysAgo: 84, StepsDone: 5, Complete: true},
	{Name: "Old Town Books", Nickname: "old-town-books", Email: "books@oldtown.example", Plan: "Starter",
		Tags: []string{"retail", "local"}, Note: "Closed for renovation; disabled at the owner's request.",
		Language: "en-GB", TimeZone: "Europe/Dublin", DaysAgo: 77, StepsDone: 1, Disabled: true},
	{Name: "Kaffeehaus Wien", Nickname: "kaffeehaus-wien", Email: "servus@kaffeehaus.example", Plan: "Starter",
		Tags: []string{"food"}, Contact: tenancy.Contact{Address: "Graben 12, 1010 Wien, Österreich", Phone: "+43 1 234 5678"},
		Language: "de-AT", TimeZone: "Europe/Vienna", DaysAgo: 65, StepsDone: 5, Complete: true},
	{Name: "Trial: Lakeside Vet", Nickname: "lakeside-vet", Email: "frontdesk@lakesidevet.example", Plan: "Pro",
		Tags: []string{"healthcare", "trial"}, Note: "Trial ended; the practice has not answered our two emails.",
		Language: "en-US", TimeZone: "America/Chicago", DaysAgo: 58, TestEndsIn: -44, StepsDone: 2},
	{Name: "Bright Smile Orthodontics", Nickname: "bright-smile", Email: "hello@brightsmile.example", Plan: "Pro",
		Tags: []string{"healthcare"}, Contact: tenancy.Contact{Phone: "+1 212 555 0110", Website: "https://brightsmile.example"},
		Language: "en-US", TimeZone: "America/New_York", Sites: []string{"https://brightsmile.example"}, DaysAgo: 51, StepsDone: 5, Complete: true},
	{Name: "Nordic Fitness Club", Nickname: "nordic-fitness", Email: "hej@nordicfitness.example", Plan: "Starter",
		Tags: []string{"fitness"}, Contact: tenancy.Contact{Address: "Drottninggatan 50, Stockholm, Sverige", Phone: "+46 8 123 456 78"},
		Language: "sv", TimeZone: "Europe/Stockholm", DaysAgo: 44, StepsDone: 4},
	{Name: "Trial: Urban Barbers", Nickname: "urban-barbers", Email: "book@urbanbarbers.example", Plan: "Starter",
		Tags: []string{"beauty", "trial"}, Note: "Trial expired last month; follow up about the Starter plan.",
		Language: "en-GB", TimeZone: "Europe/London", DaysAgo: 40, TestEndsIn: -26, StepsDone: 3},
	{Name: "Atelier Rose Couture", Nickname: "atelier-rose", Email: "bonjour@atelierrose.example", Plan: "Pro",
		Tags: []string{"fashion", "retail"}, Contact: tenancy.Contact{Address: "Rue du Rhône 40, 1204 Genève, Suisse", Website: "https://atelierrose.example"},
		Language: "fr-CH", TimeZone: "Europe/Zurich", Sites: []string{"https://atelierrose.example"}, DaysAgo: 33, StepsDone: 5, Complete: true},
	{Name: "Helios Solar Installers", Nickname: "helios-solar", Email: "sales@heliossolar.example", Plan: "Pro",
		Tags: []string{"energy", "trades"}, Note: "Locked: chargeback dispute open with the bank.",
		Language: "el", TimeZone: "Europe/Athens", DaysAgo: 29, StepsDone: 5, Complete: true, Locked: true},
	{Name: "Trial: Maple Street Bakery", Nickname: "maple-street", Email: "orders@maplestreet.example", Plan: "Starter",
		Tags: []string{"food", "local", "trial"}, Note: "Came from the spring campaign.",
		Contact:  tenancy.Contact{Address: "221 Maple St, Burlington, VT, USA", Phone: "+1 802 555 0133"},
		Language: "en-US", TimeZone: "America/New_York", DaysAgo: 20, TestEndsIn: 10, StepsDone: 3},
	{Name: "Coastal Kayak Tours", Nickname: "coastal-kayak", Email: "paddle@coastalkayak.example", Plan: "Starter",
		Tags: []string{"travel", "local"}, Language: "en-NZ", TimeZone: "Pacific/Auckland", DaysAgo: 16, StepsDone: 1},
	{Name: "Trial: Quantum Tutors", Nickname: "quantum-tutors", Email: "learn@quantumtutors.example", Plan: "Pro",
		Tags: []string{"education", "trial"}, Note: "Asked for a demo of the Agency plan.",
		Language: "hi-IN", TimeZone: "Asia/Kolkata", DaysAgo: 11, TestEndsIn: 3, StepsDone: 2},
	{Name: "Harbor Point Marina", Nickname: "harbor-point", Email: "dock@harborpoint.example", Plan: "Pro",
		Tags: []string{"travel"}, Contact: tenancy.Contact{Phone: "+1 305 555 0188", Website: "https://harborpoint.example"},
		Language: "en-US", TimeZone: "America/New_York", DaysAgo: 8, StepsDone: 4},
	{Name: "Trial: Zen Garden Spa", Nickname: "zen-garden-spa", Email: "relax@zengarden.example", Plan: "Starter",
		Tags: []string{"beauty", "trial"}, Language: "th", TimeZone: "Asia/Bangkok", DaysAgo: 5, TestEndsIn: 9},
	{Name: "Lighthouse Insurance", Nickname: "lighthouse-ins", Email: "claims@lighthouse.example", Plan: "Agency",
		Tags: []string{"finance", "vip"}, Note: "Enterprise lead; onboarding call booked.",
		Language: "en-IE", TimeZone: "Europe/Dublin", DaysAgo: 3, StepsDone: 1},
	{Name: "Cedar & Stone Architects", Nickname: "cedar-stone", Email: "studio@cedarstone.example", Plan: "Pro",
		Tags: []string{"design"}, Language: "en-GB", TimeZone: "Europe/London", DaysAgo: 1},
}
