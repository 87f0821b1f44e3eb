package httpapi_test

import (
	"testing"

	"github.com/mif-erp/erp/internal/testenv"
)

// pg hands each test its own migrated database.
var pg *testenv.Postgres

func TestMain(m *testing.M) { testenv.Main(m, &pg) }
