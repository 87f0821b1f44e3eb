package users

import "github.com/mif-erp/erp/gen/db"

// User is one account as the service returns it, password hash included: the HTTP layer's
// transformer leaves it out.
type User = db.User
