package httpapi_test

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/mif-erp/erp/internal/testenv"
)

// pg hands each test its own migrated database.
var pg *testenv.Postgres

func TestMain(m *testing.M) {
	var err error
	pg, err = testenv.StartPostgres(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, "integration tests need PostgreSQL:", err)
		os.Exit(1)
	}
	code := m.Run()
	pg.Close()
	os.Exit(code)
}
