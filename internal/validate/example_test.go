package validate_test

import (
	"fmt"

	"github.com/tenantry/tenantry/internal/validate"
)

func ExampleEmail() {
	fmt.Println(validate.Email("  Ann.Lee@Bücher.Example "))
	fmt.Println(validate.Email("Ann <ann@example.com>"))
	// Output:
	// ann.lee@xn--bcher-kva.example <nil>
	//  part before @ has a character that is not allowed
}
