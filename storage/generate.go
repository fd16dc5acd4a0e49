package storage

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"go.etcd.io/bbolt"

	"github.com/epicevents/crm/core"
)

// GenerateOptions says what Generate adds to a database (declared in core, with its Validate).
type GenerateOptions = core.GenerateOptions

// GenerateResult counts what Generate added.
type GenerateResult = core.GenerateResult

// generated records that later ones refer to.
type genClient struct{ id, commercial uuid.UUID }

type genContract struct {
	id, client, commercial uuid.UUID
	signedAt               time.Time
}

// generator holds the state of one Generate run.
type generator struct {
	opts        GenerateOptions
	r           *rand.Rand
	now         time.Time
	res         GenerateResult
	base        int // added to counters in emails, so that a second run makes new ones
	staff       []uuid.UUID
	commercials []uuid.UUID
	supports    []uuid.UUID
	clients     []genClient
	signed      []genContract
}

var errGenerate = errors.New("generate")

// Generate fills the database with realistic records fast: French-looking collaborators,
// clients, contracts with mixed statuses and amounts, and events spread from two years ago to
// next year, some without support. Records are written in bulk transactions of opts.Batch
// records, each through the same put and index code as any other change, each with its audit
// entry, and committed durably. Contracts need clients and events need contracts in the same
// run. Errors: an Invalid *core.Error for impossible options; others are internal.
func (db *DB) Generate(opts GenerateOptions) (GenerateResult, error) {
	g, err := newGenerator(opts)
	if err != nil {
		return GenerateResult{}, err
	}
	if err := db.boltTx(false, g.countExisting); err != nil {
		return g.res, err
	}
	steps := []genStep{
		{usersTable, g.opts.Commercials, bbolt.DefaultFillPercent, g.commercial},
		{usersTable, g.opts.Supports, bbolt.DefaultFillPercent, g.support},
		{clientsTable, g.opts.Clients, 0.9, g.client},
		{contractsTable, g.opts.Contracts, 0.9, g.contract},
		{eventsTable, g.opts.Events, 0.9, g.event},
	}
	for i, s := range steps {
		if err := db.generateSorted(g, s); err != nil {
			return g.res, fmt.Errorf("%w: step %d: %w", errGenerate, i+1, err)
		}
	}
	return g.res, nil
}

func newGenerator(opts GenerateOptions) (*generator, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	if opts.Commercials == 0 && opts.Clients > 0 {
		opts.Commercials = (opts.Clients + 999) / 1000
	}
	if opts.Supports == 0 && opts.Events > 0 {
		opts.Supports = (opts.Events + 1999) / 2000
	}
	if opts.Commercials+opts.Supports > 0 && opts.PasswordHash == "" {
		return nil, core.Errorf(core.Invalid, "generated collaborators need a password hash")
	}
	if opts.Batch <= 0 {
		opts.Batch = 50_000
	}
	if opts.Seed == 0 {
		opts.Seed = rand.Uint64()
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	return &generator{opts: opts, r: rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x5eed)), now: now.UTC()}, nil
}

// countExisting sets base to the number of records already there, so that the counters in
// generated emails do not repeat those of an earlier run.
func (g *generator) countExisting(btx *bbolt.Tx) error {
	for _, name := range [][]byte{bucketUsers, bucketClients} {
		b := btx.Bucket(name)
		if b == nil {
			return fmt.Errorf("bucket %s is missing", name)
		}
		g.base += b.Stats().KeyN
	}
	return nil
}

// genStep is one kind of record to generate.
type genStep struct {
	tb   *table
	n    int
	fill float64 // how full the pages of the record bucket may be filled
	make func(t *tx, id uuid.UUID, i int) error
}

var errIDTaken = errors.New("a generated id is already taken (the same seed twice?)")

// generateSorted makes the records of s in transactions of at most opts.Batch records. Ids
// are drawn first and written in key order, so that the record bucket grows at its end and its
// pages can be filled to s.fill.
//
// Index keys arrive in random order, and bbolt splits the nodes a transaction grows only when
// it commits: a transaction that puts many more keys than the index already has pages moves
// its in-memory nodes around quadratically. So batches start small and double, each at most as
// large as what is already written.
func (db *DB) generateSorted(g *generator, s genStep) error {
	ids := g.ids(s.n)
	for start := 0; start < s.n; {
		end := min(start+min(g.opts.Batch, max(minGenBatch, start)), s.n)
		err := db.Update(func(ct core.Tx) error {
			t := ct.(*tx)
			b, err := t.bucket(s.tb.bucket)
			if err != nil {
				return err
			}
			b.FillPercent = s.fill
			for i := start; i < end; i++ {
				if b.Get(ids[i][:]) != nil {
					return errIDTaken
				}
				if err := s.make(t, ids[i], i); err != nil {
					return err
				}
				// In team mode each generated record, with its audit entry, is one change.
				if err := t.flushChange(); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		start = end
	}
	return nil
}

// minGenBatch is the size of the first transaction of each kind of record.
const minGenBatch = 2000

// ids draws n random (version 4) UUIDs in ascending order.
func (g *generator) ids(n int) []uuid.UUID {
	ids := make([]uuid.UUID, n)
	for i := range ids {
		binary.BigEndian.PutUint64(ids[i][:8], g.r.Uint64())
		binary.BigEndian.PutUint64(ids[i][8:], g.r.Uint64())
		ids[i][6] = ids[i][6]&0x0f | 0x40
		ids[i][8] = ids[i][8]&0x3f | 0x80
	}
	slices.SortFunc(ids, func(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) })
	return ids
}

// audit appends the creation of a record by the generating actor.
func (g *generator) audit(t *tx, rec core.RecordType, id uuid.UUID, at time.Time, fields ...string) error {
	e := core.AuditEntry{At: at, ActorID: g.opts.ActorID, Action: core.ActionCreate, Record: rec, RecordID: id, Fields: fields}
	if err := t.AppendAudit(&e); err != nil {
		return err
	}
	g.res.AuditEntries++
	return nil
}

// pick returns a random element of list.
func pick[T any](r *rand.Rand, list []T) T { return list[r.IntN(len(list))] }

// chance reports true with probability p.
func (g *generator) chance(p float64) bool { return g.r.Float64() < p }

// past returns a time up to d before now.
func (g *generator) past(d time.Duration) time.Time {
	return g.now.Add(-time.Duration(g.r.Int64N(int64(d)))).Truncate(time.Second)
}

// ---- collaborators

func (g *generator) commercial(t *tx, id uuid.UUID, i int) error {
	g.commercials = append(g.commercials, id)
	return g.user(t, id, i, core.Commercial)
}

func (g *generator) support(t *tx, id uuid.UUID, i int) error {
	g.supports = append(g.supports, id)
	return g.user(t, id, i, core.Support)
}

func (g *generator) user(t *tx, id uuid.UUID, i int, d core.Department) error {
	first, last := pick(g.r, genFirstNames), pick(g.r, genLastNames)
	at := g.past(6 * 365 * 24 * time.Hour)
	u := core.User{ID: id, FullName: first + " " + last, Department: d, PasswordHash: g.opts.PasswordHash,
		Active: true, PasswordChangedAt: at, CreatedAt: at, UpdatedAt: at}
	num := g.r.IntN(1_000_000)
	for try := 0; ; try++ {
		u.EmployeeNumber = fmt.Sprintf("EE%06d", (num+try)%1_000_000)
		u.Email = fmt.Sprintf("%s.%s.%s%d@epicevents.com", asciiLower(first), asciiLower(last), d[:1], g.base+i+try)
		err := t.PutUser(&u)
		if core.KindOf(err) != core.Conflict || try >= 1000 {
			if err != nil {
				return err
			}
			break
		}
	}
	g.res.Users++
	return g.audit(t, core.UserRecord, id, at, "full_name", "email", "department")
}

// ---- clients, contracts, events

func (g *generator) client(t *tx, id uuid.UUID, i int) error {
	first, last := pick(g.r, genFirstNames), pick(g.r, genLastNames)
	company := pick(g.r, companyStems) + " " + pick(g.r, companyKinds)
	if g.chance(0.4) {
		company = pick(g.r, companyKinds) + " " + last
	}
	created := g.past(5 * 365 * 24 * time.Hour)
	updated := created
	if g.chance(0.5) {
		updated = created.Add(time.Duration(g.r.Int64N(int64(g.now.Sub(created)) + 1))).Truncate(time.Second)
	}
	c := core.Client{ID: id, FullName: first + " " + last, Phone: g.phone(), CompanyName: company,
		CommercialID: pick(g.r, g.commercials), CreatedAt: created, UpdatedAt: updated}
	if g.chance(0.3) {
		c.Notes = pick(g.r, clientNotes)
	}
	domain := pick(g.r, mailDomains)
	for try := 0; ; try++ {
		c.Email = fmt.Sprintf("%s.%s%d@%s", asciiLower(first), asciiLower(last), g.base+i+try*g.opts.Clients, domain)
		err := t.PutClient(&c)
		if core.KindOf(err) != core.Conflict || try >= 100 {
			if err != nil {
				return err
			}
			break
		}
	}
	g.clients = append(g.clients, genClient{id: id, commercial: c.CommercialID})
	g.res.Clients++
	return g.audit(t, core.ClientRecord, id, created,
		"full_name", "email", "phone", "company_name", "notes", "commercial_contact")
}

// phone returns a French number in one of the usual ways of writing it.
func (g *generator) phone() string {
	d := func() int { return g.r.IntN(100) }
	switch g.r.IntN(3) {
	case 0:
		return fmt.Sprintf("+33 %d %02d %02d %02d %02d", 1+g.r.IntN(7), d(), d(), d(), d())
	case 1:
		return fmt.Sprintf("0%d.%02d.%02d.%02d.%02d", 1+g.r.IntN(7), d(), d(), d(), d())
	}
	return fmt.Sprintf("0%d %02d %02d %02d %02d", 1+g.r.IntN(7), d(), d(), d(), d())
}

func (g *generator) contract(t *tx, id uuid.UUID, i int) error {
	cl := pick(g.r, g.clients)
	created := g.past(4 * 365 * 24 * time.Hour)
	total := decimal.New(50_000+g.r.Int64N(20_000_000), -2)
	k := core.Contract{ID: id, ClientID: cl.id, CommercialID: cl.commercial, Total: total, Due: total,
		Status: core.Draft, CreatedAt: created, UpdatedAt: created}
	switch p := g.r.Float64(); {
	case p < 0.7 || (i == 0 && g.opts.Events > 0):
		k.Status, k.SignedAt = core.Signed, created.Add(time.Duration(g.r.Int64N(int64(30*24*time.Hour))))
		k.UpdatedAt = k.SignedAt
		if g.chance(0.6) {
			k.Due = decimal.Zero
		} else if g.chance(0.5) {
			k.Due = decimal.New(g.r.Int64N(total.CoefficientInt64())+1, -2)
		}
	case p < 0.8:
		k.Status, k.UpdatedAt = core.Cancelled, created.Add(time.Hour)
	}
	if err := t.PutContract(&k); err != nil {
		return err
	}
	if k.Status == core.Signed {
		g.signed = append(g.signed, genContract{id: id, client: cl.id, commercial: cl.commercial, signedAt: k.SignedAt})
	}
	g.res.Contracts++
	return g.audit(t, core.ContractRecord, id, created, "client", "total_amount", "amount_due")
}

func (g *generator) event(t *tx, id uuid.UUID, _ int) error {
	k := pick(g.r, g.signed)
	span := int64(3 * 365 * 24 * time.Hour)
	start := g.now.Add(time.Duration(g.r.Int64N(span)) - 2*365*24*time.Hour).Truncate(15 * time.Minute)
	end := start.Add(time.Duration(2+g.r.IntN(70)) * time.Hour)
	created := k.signedAt.Add(time.Duration(g.r.Int64N(int64(7 * 24 * time.Hour))))
	if created.After(start) {
		created = start.Add(-time.Hour)
	}
	kind := pick(g.r, eventKinds)
	e := core.Event{ID: id, ContractID: k.id, ClientID: k.client, Name: kind + " " + pick(g.r, companyStems),
		Start: start, End: end, Location: pick(g.r, venues) + ", " + pick(g.r, cities),
		Attendees: 10 + g.r.IntN(1990), CreatedAt: created, UpdatedAt: created}
	unassigned := 0.0025
	if start.After(g.now) {
		unassigned = 0.025
	}
	if !g.chance(unassigned) {
		e.SupportID = pick(g.r, g.supports)
	}
	if g.chance(0.2) {
		e.Notes = pick(g.r, eventNotes)
	}
	if err := t.PutEvent(&e); err != nil {
		return err
	}
	g.res.Events++
	return g.audit(t, core.EventRecord, id, created, "name", "start", "end", "location", "attendees", "notes")
}

// asciiLower lower-cases a name and drops its accents and anything else an email local part
// should not hold.
func asciiLower(s string) string { return emailSafe.Replace(strings.ToLower(s)) }

var emailSafe = strings.NewReplacer("é", "e", "è", "e", "ë", "e", "ê", "e", "ï", "i", "î", "i",
	"ç", "c", "ô", "o", "â", "a", "à", "a", "ü", "u", " ", "-", "'", "")

var genFirstNames = strings.Fields(`Camille Léa Manon Chloé Inès Jade Louise Emma Alice Lina Zoé Juliette
	Clara Anaïs Mathilde Élodie Margaux Sarah Lucie Pauline Hélène Céline Sophie Claire Nathalie
	Isabelle Amélie Aurélie Gabriel Louis Raphaël Jules Adam Lucas Léo Hugo Arthur Nathan Thomas
	Théo Paul Antoine Nicolas Julien Maxime Alexandre Baptiste Mathieu Pierre François Olivier
	Laurent Étienne Guillaume Benoît Cédric Rémi Yann Loïc Mehdi Karim Yasmine Fatima Noé Timéo`)

var genLastNames = strings.Fields(`Martin Bernard Thomas Petit Robert Richard Durand Dubois Moreau
	Laurent Simon Michel Lefebvre Leroy Roux David Bertrand Morel Fournier Girard Bonnet Dupont
	Lambert Fontaine Rousseau Vincent Muller Lefèvre Faure André Mercier Blanc Guérin Boyer Garnier
	Chevalier François Legrand Gauthier Garcia Perrin Robin Clément Morin Nicolas Henry Roussel
	Mathieu Gautier Masson Marchand Duval Denis Dumont Marie Lemaire Noël Meyer Dufour Meunier
	Brun Blanchard Giraud Joly Rivière Lucas Brunet Gaillard Barbier Arnaud Martinez Gérard Roche
	Renard Schmitt Roy Leroux Colin Vidal Caron Picard Roger Fabre Aubert Lemoine Renaud Dumas
	Lacroix Olivier Philippe Bourgeois Pierre Benoît Rey Leclerc Payet Rolland Leclercq Guillaume`)

var companyStems = strings.Fields(`Atlas Horizon Lumière Azur Provence Bretagne Alpes Océan Étoile
	Vertige Sésame Mistral Cèdre Orion Hermine Calanque Garonne Loire Rhône Vendôme Opale Granit
	Pixel Nova Zénith Boréal Ardoise Sirius Tilleul Capucine Félin Colibri Marelle Origami Quartz`)

var companyKinds = strings.Fields(`Conseil Événements Industries Logistique Santé Assurances
	Immobilier Digital Studio Transports Énergie Gastronomie Finance Pharma Tourisme Textile Audio`)

var mailDomains = strings.Fields(`orange.fr free.fr gmail.com laposte.net sfr.fr wanadoo.fr
	outlook.fr yahoo.fr hotmail.fr entreprise.fr societe.com groupe.fr`)

var eventKinds = []string{"Séminaire", "Mariage", "Convention", "Gala", "Salon", "Lancement",
	"Assemblée générale", "Soirée d'entreprise", "Conférence", "Team building", "Anniversaire"}

var venues = []string{"Château de Versailles", "Palais des Congrès", "Domaine des Oliviers",
	"Hôtel de Ville", "Salle Pleyel", "Grand Hôtel", "Abbaye de Royaumont", "Les Docks",
	"Pavillon Dauphine", "Villa Méditerranée", "Manoir du Lac", "Parc Floral", "Cité des Congrès"}

var cities = strings.Fields(`Paris Lyon Marseille Toulouse Nice Nantes Strasbourg Montpellier
	Bordeaux Lille Rennes Reims Toulon Grenoble Dijon Angers Nîmes Annecy Biarritz Deauville`)

var clientNotes = []string{"Préfère être contacté le matin.", "Budget serré, négocier les options.",
	"Client fidèle depuis plusieurs années.", "Rappeler après le salon annuel.",
	"Demande toujours un devis détaillé.", "Contact principal : assistante de direction."}

var eventNotes = []string{"Prévoir un traiteur végétarien.", "Accès PMR indispensable.",
	"Sonorisation fournie par le lieu.", "Navettes depuis la gare à prévoir.",
	"Photographe sur place toute la soirée.", "Vestiaire et accueil dès 18 h."}
