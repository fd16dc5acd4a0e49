package cli

import (
	"github.com/google/uuid"

	"github.com/epicevents/crm/core"
)

const contractUsage = `Contract commands:

  epicevents contract list [--mine] [--unsigned] [--unpaid]
                                            list contracts, newest first; the filters combine
        --mine             only the contracts of your clients
        --unsigned         only drafts
        --unpaid           only contracts with an amount due, not cancelled
  epicevents contract mine | unsigned | unpaid
                                            the same as list --mine, --unsigned, --unpaid
                                            (other filter flags may be added)
  epicevents contract view K                show a contract
  epicevents contract create CLIENT --total X [--due Y]
                                            add a draft contract for a client (management);
                                            without --due the whole total is due
  epicevents contract update K [--total X] [--due Y]
                                            change the amounts given (management, or the
                                            client's commercial)
  epicevents contract sign K                sign a draft (management)
  epicevents contract cancel K              cancel a draft or signed contract (management)
  epicevents contract delete K              delete a contract that has no events (management)
  epicevents contract search TEXT           find contracts by client name or company

  K and CLIENT are full ids or unique prefixes of at least 8 characters. Amounts such as 1500
  or 1500.50 (at most two decimals). --json prints the result as JSON.
`

var contractCommands = map[string]func(*runner, []string) error{
	"list":     contractList("list", core.ContractQuery{}),
	"mine":     contractList("mine", core.ContractQuery{Mine: true}),
	"unsigned": contractList("unsigned", core.ContractQuery{Unsigned: true}),
	"unpaid":   contractList("unpaid", core.ContractQuery{Unpaid: true}),
	"view":     contractChange("contract view", "", (*core.Service).GetContract),
	"create":   contractCreate,
	"update":   contractUpdate,
	"sign":     contractChange("contract sign", "Contract signed: %s", (*core.Service).SignContract),
	"cancel":   contractChange("contract cancel", "Contract cancelled: %s", (*core.Service).CancelContract),
	"delete":   contractDelete,
	"search":   searchCommand("contract search", contractUsage, func(s *session, text string) error { return s.listContracts(core.ContractQuery{Search: text}) }),
}

// contractOut is a contract as printed (PRODUCT.md §2).
type contractOut struct {
	ID                    string `json:"id"`
	ClientID              string `json:"client_id"`
	ClientName            string `json:"client_name"`
	CommercialContactID   string `json:"commercial_contact_id"`
	CommercialContactName string `json:"commercial_contact_name"`
	TotalAmount           string `json:"total_amount"`
	AmountDue             string `json:"amount_due"`
	Status                string `json:"status"`
	Signed                bool   `json:"signed"`
	SignedAt              *jtime `json:"signed_at"`
	CreatedAt             jtime  `json:"created_at"`
	UpdatedAt             jtime  `json:"updated_at"`
}

// toContracts makes the output records of contracts, their clients loaded at once for their names.
func (s *session) toContracts(list []core.Contract) ([]contractOut, error) {
	if err := s.loadClients(each(list, func(k core.Contract) uuid.UUID { return k.ClientID })); err != nil {
		return nil, err
	}
	return convert(list, s.toContract)
}

// toContract makes the output record of a contract whose client toContracts loaded.
func (s *session) toContract(k core.Contract) (contractOut, error) {
	name, err := s.contactName(k.CommercialID)
	return contractOut{ID: k.ID.String(), ClientID: k.ClientID.String(),
		ClientName: s.clients[k.ClientID].FullName, CommercialContactID: k.CommercialID.String(),
		CommercialContactName: name, TotalAmount: k.Total.StringFixed(2),
		AmountDue: k.Due.StringFixed(2), Status: string(k.Status), Signed: k.Status == core.Signed,
		SignedAt: optTimeOut(k.SignedAt), CreatedAt: jtime(k.CreatedAt), UpdatedAt: jtime(k.UpdatedAt)}, err
}

func signedAt(k contractOut) string {
	if k.SignedAt == nil {
		return "-"
	}
	return k.SignedAt.local()
}

var contractColumns = []column[contractOut]{
	{title: "ID", cell: func(k contractOut) string { return short(k.ID) }},
	{title: "CLIENT", cell: func(k contractOut) string { return orDash(k.ClientName) }},
	{title: "COMMERCIAL", cell: func(k contractOut) string { return orDash(k.CommercialContactName) }},
	{title: "TOTAL", right: true, cell: func(k contractOut) string { return k.TotalAmount }},
	{title: "DUE", right: true, cell: func(k contractOut) string { return k.AmountDue }},
	{title: "STATUS", cell: func(k contractOut) string { return k.Status }},
	{title: "SIGNED", cell: signedAt},
	{title: "CREATED", cell: func(k contractOut) string { return k.CreatedAt.local() }},
}

// doneContract prints the contract an action returned (or shows it, for view), or returns the
// action's error.
func (s *session) doneContract(k core.Contract, err error, format string, args ...any) error {
	return doneRecord(s, k, err, s.toContracts, contractFields, format, args...)
}

func contractFields(c contractOut) []field {
	return []field{
		{"ID", c.ID}, {"Client", orDash(c.ClientName) + " (" + c.ClientID + ")"},
		{"Commercial", orDash(c.CommercialContactName)}, {"Total amount", c.TotalAmount},
		{"Amount due", c.AmountDue}, {"Status", c.Status}, {"Signed", signedAt(c)},
		{"Created", c.CreatedAt.local()}, {"Updated", c.UpdatedAt.local()},
	}
}

func (s *session) listContracts(q core.ContractQuery) error {
	list, hidden, err := s.svc.ListContracts(s.actor, q)
	return printRecords(s, list, hidden, err, s.toContracts, contractColumns, "contracts")
}

// contractList returns "contract list" or one of its aliases: q holds the alias's filter, the
// flags add theirs.
func contractList(name string, q core.ContractQuery) func(*runner, []string) error {
	return func(r *runner, args []string) error {
		f := r.newFlags("contract "+name, contractUsage)
		mine := f.Bool("mine", false, "")
		unsigned := f.Bool("unsigned", false, "")
		unpaid := f.Bool("unpaid", false, "")
		return f.inSession(args, func(s *session, _ []string) error {
			q := q // each run adds its flags to the alias's filter
			q.Mine, q.Unsigned, q.Unpaid = q.Mine || *mine, q.Unsigned || *unsigned, q.Unpaid || *unpaid
			return s.listContracts(q)
		})
	}
}

// contractChange is a command on one contract K: act reads or changes it, then the contract is
// printed with done (its id for the %s), or shown in full when done is "".
func contractChange(command, done string, act func(*core.Service, *core.Actor, uuid.UUID) (core.Contract, error)) func(*runner, []string) error {
	return func(r *runner, args []string) error {
		return r.newFlags(command, contractUsage).withRecord(core.ContractRecord, args, func(s *session, id uuid.UUID, _ []string) error {
			k, err := act(s.svc, s.actor, id)
			return s.doneContract(k, err, done, k.ID)
		}, "K")
	}
}

func contractCreate(r *runner, args []string) error {
	f := r.newFlags("contract create", contractUsage).need("total")
	total := f.String("total", "", "")
	due := f.String("due", "", "")
	return f.inSession(args, func(s *session, pos []string) error {
		in := core.ContractInput{}
		var err error
		if in.Total, err = core.ParseAmount("total_amount", *total); err != nil {
			return err
		}
		if in.Due, err = optAmount(f, "due", "amount_due", *due); err != nil {
			return err
		}
		if in.ClientID, err = s.resolve(core.ClientRecord, pos[0]); err != nil {
			return err
		}
		k, err := s.svc.CreateContract(s.actor, in)
		return s.doneContract(k, err, "Contract created: %s", k.ID)
	}, "CLIENT")
}

func contractUpdate(r *runner, args []string) error {
	f := r.newFlags("contract update", contractUsage).needOne("total", "due")
	total := f.String("total", "", "")
	due := f.String("due", "", "")
	return f.inSession(args, func(s *session, pos []string) error {
		t, err := optAmount(f, "total", "total_amount", *total)
		if err != nil {
			return err
		}
		d, err := optAmount(f, "due", "amount_due", *due)
		if err != nil {
			return err
		}
		id, err := s.resolve(core.ContractRecord, pos[0])
		if err != nil {
			return err
		}
		k, err := s.svc.UpdateContractAmounts(s.actor, id, t, d)
		return s.doneContract(k, err, "Contract updated: %s", k.ID)
	}, "K")
}

func contractDelete(r *runner, args []string) error {
	return r.newFlags("contract delete", contractUsage).withRecord(core.ContractRecord, args, func(s *session, id uuid.UUID, _ []string) error {
		return s.deleted(s.svc.DeleteContract(s.actor, id), "Contract", id)
	}, "K")
}
