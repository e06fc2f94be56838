package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/registry"
	"github.com/kvalitetsmodel/accredit/store"
	"github.com/kvalitetsmodel/accredit/web"
)

// peopleLinkCommand is "people link ID --as SECRETARIAT": a personal sign-in link to the web
// app, for the embedded default without an identity provider (issue 11).
func (a *app) peopleLinkCommand() *cobra.Command {
	var (
		as     string
		ttl    time.Duration
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "link PERSON-ID --as SECRETARIAT-ID",
		Short: "Print a personal sign-in link to the web app, valid once",
		Long: `link makes a sign-in link for a person of the registry and prints it: a URL under
ACCREDIT_PUBLIC_BASE_URL that signs its holder in as that person, once, until it expires
(ACCREDIT_SIGNIN_LINK_TTL, default 7 days; --ttl for this link). Give it to the person
only: whoever opens it first signs in as them. The link's token is not stored, only its
hash; a lost link cannot be printed again, make a new one. The secretariat issues links: a
regional secretariat for the people of its region and the members of its institutions' teams
(who come from other regions), the national secretariat for anyone.
Every link issued is in the registry's audit trail (starter audit --registry).`,
		Example: `  starter people link P-084 --as P-131
  starter people link P-001 --as P-136 --ttl 48h --json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			actor, err := a.actor(as)
			if err != nil {
				return err
			}
			if ttl == 0 {
				ttl = a.cfg.Web.SignInLinkTTL
			}
			if ttl < 0 {
				return rejected("--ttl must be positive, e.g. 48h")
			}
			id := strings.TrimSpace(args[0])
			st, err := a.openStore(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			p, err := st.Person(ctx, id)
			if errors.Is(err, store.ErrNotFound) {
				return rejected("person %s is not in the registry: check the ID with starter people list", id)
			}
			if err != nil {
				return err
			}
			reach, err := linkReach(ctx, st, p, actor)
			if err != nil {
				return err
			}
			if _, err := registry.CheckSecretariat(ctx, st, actor, "issue sign-in links", reach); err != nil {
				return notAllowed(err)
			}
			token, expires, err := st.IssueSignInLink(ctx, p.ID, actor, ttl)
			if err != nil {
				return err
			}
			link := web.SignInLinkURL(a.cfg.PublicBaseURL, token)
			if asJSON {
				return a.printJSON(map[string]any{"person_id": p.ID, "name": p.Name, "role": p.Role, "url": link,
					"expires": expires.UTC().Format(time.RFC3339)})
			}
			fmt.Fprintf(a.stdout, "%s\n", link)
			fmt.Fprintf(a.stderr, "sign-in link for %s (%s, %s): valid once, until %s\n", p.ID, p.Name, p.Role,
				expires.Local().Format("2006-01-02 15:04 MST"))
			return nil
		},
	}
	addActorFlag(cmd, &as, "the secretariat")
	cmd.Flags().DurationVar(&ttl, "ttl", 0, "how long the link stays usable (default $ACCREDIT_SIGNIN_LINK_TTL, 168h)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the link as JSON")
	return cmd
}

// linkReach is whose secretariat may issue a person's link: the person's region's, or the
// region of an institution whose team the person is invited to or sits on (a reviewer comes
// from another region by rule); a person without a region only the national secretariat's.
func linkReach(ctx context.Context, st *store.Store, p store.Person, actor string) (registry.Reach, error) {
	var regions []domain.Region
	if p.Region != "" {
		regions = append(regions, p.Region)
	}
	teams, err := st.TeamInstitutions(ctx, p.ID)
	if err != nil {
		return registry.Reach{}, err
	}
	for id := range teams {
		in, err := st.Institution(ctx, id)
		if err != nil {
			return registry.Reach{}, err
		}
		regions = append(regions, in.Region)
	}
	if len(regions) == 0 {
		return registry.Reach{National: true}, nil
	}
	if a, err := st.Person(ctx, actor); err == nil && slices.Contains(regions, a.Region) {
		return registry.Reach{Regions: []domain.Region{a.Region}}, nil
	}
	return registry.Reach{Regions: regions[:1]}, nil
}
