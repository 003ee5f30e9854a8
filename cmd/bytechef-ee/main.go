// Command bytechef-ee is the ByteChef Enterprise Edition governance plane: one binary that
// serves the API, runs the Temporal worker, migrates the database and bootstraps orgs.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/spf13/cobra"
	"go.uber.org/fx"

	"github.com/bytechefhq/bytechef-ee/internal/identity"
	"github.com/bytechefhq/bytechef-ee/internal/platform/config"
	"github.com/bytechefhq/bytechef-ee/internal/platform/database"
	"github.com/bytechefhq/bytechef-ee/internal/platform/logging"
	"github.com/bytechefhq/bytechef-ee/internal/platform/temporalx"
	"github.com/bytechefhq/bytechef-ee/workflows"
)

// exitError carries the process exit code for a failure already explained to the user.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newRoot(os.Stdout, os.Stderr, os.LookupEnv).ExecuteContext(ctx)
	stop()
	var ee exitError
	switch {
	case errors.As(err, &ee):
		os.Exit(ee.code)
	case err != nil:
		fmt.Fprintln(os.Stderr, "bytechef-ee:", err)
		os.Exit(1)
	}
}

// loadConfig reads the configuration; a bad value prints one line naming the variable.
func loadConfig(stderr io.Writer, lookup config.Lookup) (config.Config, *slog.Logger, error) {
	cfg, err := config.Load(lookup)
	if err != nil {
		fmt.Fprintln(stderr, "bytechef-ee:", err)
		return cfg, nil, exitError{2}
	}
	return cfg, logging.New(cfg, stderr), nil
}

func newRoot(stdout, stderr io.Writer, lookup config.Lookup) *cobra.Command {
	root := &cobra.Command{
		Use:           "bytechef-ee",
		Short:         "ByteChef Enterprise governance plane: SSO, SCIM, audit, exports, app policies, AI control",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	run := func(withHTTP, withWorker bool) func(*cobra.Command, []string) error {
		return func(cmd *cobra.Command, _ []string) error {
			cfg, log, err := loadConfig(stderr, lookup)
			if err != nil {
				return err
			}
			log.Info("starting", "command", cmd.Name(), "region", cfg.Region, "config", config.Summary(lookup))
			app := fx.New(appOptions(cfg, log, withHTTP, withWorker)...)
			if err := app.Start(cmd.Context()); err != nil {
				log.Error("start failed", "error", err)
				return exitError{1}
			}
			<-cmd.Context().Done()
			log.Info("shutting down")
			stopCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
			defer cancel()
			return app.Stop(stopCtx)
		}
	}
	allVars := config.Help()
	root.AddCommand(
		&cobra.Command{Use: "serve", Short: "Run the API server and the Temporal worker in one process", Long: "Run the API server and the Temporal worker in one process (small installs).\n\n" + allVars, Args: cobra.NoArgs, RunE: run(true, true)},
		&cobra.Command{Use: "api", Short: "Run the API server only", Long: "Run the API server only; scale by adding replicas behind a load balancer.\n\n" + allVars, Args: cobra.NoArgs, RunE: run(true, false)},
		&cobra.Command{Use: "worker", Short: "Run the Temporal worker only", Long: "Run the Temporal worker only; scale by adding processes on the same task queue.\nIt registers the search attributes and reconciles the Schedules at start.\n\n" + allVars, Args: cobra.NoArgs, RunE: run(false, true)},
		migrateCmd(stdout, stderr, lookup),
		schedulesCmd(stderr, lookup),
		bootstrapCmd(stdout, stderr, lookup),
	)
	return root
}

func withPool(ctx context.Context, stderr io.Writer, lookup config.Lookup, fn func(cfg config.Config, log *slog.Logger, pool *pgxpool.Pool) error) error {
	cfg, log, err := loadConfig(stderr, lookup)
	if err != nil {
		return err
	}
	pool, err := database.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		fmt.Fprintln(stderr, "bytechef-ee:", err)
		return exitError{1}
	}
	defer pool.Close()
	return fn(cfg, log, pool)
}

func migrateCmd(stdout, stderr io.Writer, lookup config.Lookup) *cobra.Command {
	help := config.Help("BYTECHEF_DATABASE_URL", "BYTECHEF_LOG_LEVEL", "BYTECHEF_LOG_FORMAT")
	cmd := &cobra.Command{Use: "migrate", Short: "Apply, roll back or list database migrations (embedded in the binary)", Long: "Database migrations (embedded in the binary).\n\n" + help}
	sub := func(use, short string, fn func(ctx context.Context, pool *pgxpool.Pool) error) *cobra.Command {
		return &cobra.Command{Use: use, Short: short, Long: short + "\n\n" + help, Args: cobra.NoArgs, RunE: func(c *cobra.Command, _ []string) error {
			return withPool(c.Context(), stderr, lookup, func(_ config.Config, _ *slog.Logger, pool *pgxpool.Pool) error {
				return fn(c.Context(), pool)
			})
		}}
	}
	cmd.AddCommand(
		sub("up", "Apply every pending migration and prepare audit partitions", func(ctx context.Context, pool *pgxpool.Pool) error {
			return database.MigrateUp(ctx, pool, stdout)
		}),
		sub("down", "Roll back the newest migration", func(ctx context.Context, pool *pgxpool.Pool) error {
			return database.MigrateDown(ctx, pool, stdout)
		}),
		sub("status", "List migrations; exits 3 when some are pending", func(ctx context.Context, pool *pgxpool.Pool) error {
			pending, err := database.MigrateStatus(ctx, pool, stdout)
			if err == nil && pending > 0 {
				return exitError{3}
			}
			return err
		}),
	)
	return cmd
}

func schedulesCmd(stderr io.Writer, lookup config.Lookup) *cobra.Command {
	help := config.Help("BYTECHEF_TEMPORAL_ADDRESS", "BYTECHEF_TEMPORAL_NAMESPACE", "BYTECHEF_TEMPORAL_TASK_QUEUE")
	cmd := &cobra.Command{Use: "schedules", Short: "Manage the Temporal Schedules declared in code"}
	cmd.AddCommand(&cobra.Command{
		Use: "sync", Short: "Create or update the Temporal Schedules and search attributes idempotently",
		Long: "Create or update the Temporal Schedules and search attributes idempotently (the worker also does this at start).\n\n" + help,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			cfg, log, err := loadConfig(stderr, lookup)
			if err != nil {
				return err
			}
			tc, err := temporalx.NewClient(cfg, log)
			if err != nil {
				return err
			}
			defer tc.Close()
			if err := temporalx.EnsureSearchAttributes(c.Context(), tc, cfg.TemporalNamespace, log); err != nil {
				return err
			}
			return temporalx.Reconcile(c.Context(), tc, cfg.TemporalTaskQueue, workflows.Schedules(scheduledFeatures(cfg)), log)
		},
	})
	return cmd
}

func bootstrapCmd(stdout, stderr io.Writer, lookup config.Lookup) *cobra.Command {
	var name, slug, email string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "bootstrap --org-name N --org-slug S --admin-email E",
		Short: "Create an organization and print an org admin API key once",
		Long: "Apply migrations, create an organization in this deployment's region and print an API key\n" +
			"with the admin scope. The key is shown only once.\n\n" + config.Help("BYTECHEF_DATABASE_URL", "BYTECHEF_REGION"),
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return withPool(c.Context(), stderr, lookup, func(cfg config.Config, _ *slog.Logger, pool *pgxpool.Pool) error {
				ctx := c.Context()
				if err := database.MigrateUp(ctx, pool, io.Discard); err != nil {
					return err
				}
				ids := identity.NewService(pool, cfg)
				if !cfg.Features.Organizations {
					if n, err := ids.CountOrgs(ctx); err != nil {
						return err
					} else if n > 0 {
						fmt.Fprintln(stderr, "bytechef-ee: BYTECHEF_ORGANIZATIONS_ENABLED is false and the instance already has its organization")
						return exitError{1}
					}
				}
				org, err := ids.CreateOrg(ctx, identity.CreateOrgInput{Name: name, Slug: slug})
				if err != nil {
					fmt.Fprintln(stderr, "bytechef-ee: bootstrap:", err)
					return exitError{1}
				}
				_, secret, err := ids.CreateAPIKey(ctx, org.ID, identity.CreateKeyInput{Name: "bootstrap admin (" + email + ")", Scopes: []string{string(identity.ScopeAdmin)}})
				if err != nil {
					return err
				}
				if asJSON {
					return json.NewEncoder(stdout).Encode(map[string]string{"org_id": org.ID.String(), "org_slug": org.Slug, "api_key": secret})
				}
				fmt.Fprintf(stdout, "Organization %s (%s) created in region %s.\nAdmin API key (shown once): %s\n", org.Name, org.Slug, org.Region, secret)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&name, "org-name", "", "organization display name (required)")
	cmd.Flags().StringVar(&slug, "org-slug", "", "URL-safe organization slug (required)")
	cmd.Flags().StringVar(&email, "admin-email", "", "email of the first org admin (required)")
	cmd.Flags().BoolVar(&asJSON, "json", false, `print {"org_id","org_slug","api_key"} as JSON`)
	for _, f := range []string{"org-name", "org-slug", "admin-email"} {
		_ = cmd.MarkFlagRequired(f)
	}
	return cmd
}
