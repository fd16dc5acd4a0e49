// Package access is what the etcd cluster itself enforces in team mode (PRODUCT.md §9 "Rules"):
// the key layout of the company's dataset, one etcd role per department that may write only the
// key ranges that department may write, and the etcd identity of each collaborator.
//
// Every collaborator reaches etcd as their own etcd user, named by the Common Name of a client
// certificate that management issued from the team's CA (package pki). core enforces PRODUCT.md
// §3 on the laptop that makes a change; the cluster enforces only which key ranges an identity
// may write. It cannot enforce ownership (a commercial may write any client, a support user any
// event), field-level rules, or that audit entries are only ever appended.
package access

// Prefix holds the whole team dataset: every key the product writes starts with it.
const Prefix = "/epicevents/"

// Record prefixes: one key per record, the record's id after the prefix (UserKey, ClientKey…).
const (
	// UsersPrefix holds collaborators: Prefix+"users/"+id.
	UsersPrefix = Prefix + "users/"
	// ClientsPrefix holds clients: Prefix+"clients/"+id.
	ClientsPrefix = Prefix + "clients/"
	// ContractsPrefix holds contracts: Prefix+"contracts/"+id.
	ContractsPrefix = Prefix + "contracts/"
	// EventsPrefix holds events: Prefix+"events/"+id.
	EventsPrefix = Prefix + "events/"
)

// Unique-value prefixes: one key per value in use, whose value names the record holding it. A
// push creates or moves the key in the same transaction as the record, guarded so that a value
// taken by another record fails the transaction.
const (
	// UniquePrefix holds every unique-value key.
	UniquePrefix = Prefix + "unique/"
	// UserEmailPrefix holds collaborators' emails: UniquePrefix+"user_email/"+email.
	UserEmailPrefix = UniquePrefix + "user_email/"
	// EmployeeNumberPrefix holds employee numbers: UniquePrefix+"employee_number/"+number.
	EmployeeNumberPrefix = UniquePrefix + "employee_number/"
	// ClientEmailPrefix holds clients' emails: UniquePrefix+"client_email/"+email.
	ClientEmailPrefix = UniquePrefix + "client_email/"
)

// Reference prefixes: one key per child record under its parent's id, so that a delete can be
// guarded by "no key under this parent" (see ClientContractsOf).
const (
	// RefsPrefix holds every reference key.
	RefsPrefix = Prefix + "refs/"
	// ClientContractsPrefix holds contracts by client:
	// ClientContractsPrefix+clientID+"/"+contractID.
	ClientContractsPrefix = RefsPrefix + "client_contracts/"
	// ContractEventsPrefix holds events by contract:
	// ContractEventsPrefix+contractID+"/"+eventID.
	ContractEventsPrefix = RefsPrefix + "contract_events/"
)

// Other prefixes.
const (
	// AuditPrefix holds the company-wide audit trail, entries from every laptop; the cluster
	// revision of each entry orders them.
	AuditPrefix = Prefix + "audit/"
	// MetaPrefix holds metadata of the dataset itself (format version, team name…).
	MetaPrefix = Prefix + "meta/"
)

// UserKey is the key of collaborator id.
func UserKey(id string) string { return UsersPrefix + id }

// ClientKey is the key of client id.
func ClientKey(id string) string { return ClientsPrefix + id }

// ContractKey is the key of contract id.
func ContractKey(id string) string { return ContractsPrefix + id }

// EventKey is the key of event id.
func EventKey(id string) string { return EventsPrefix + id }

// UserEmailKey is the key that reserves a collaborator's email, as core normalises it.
func UserEmailKey(email string) string { return UserEmailPrefix + email }

// EmployeeNumberKey is the key that reserves an employee number.
func EmployeeNumberKey(number string) string { return EmployeeNumberPrefix + number }

// ClientEmailKey is the key that reserves a client's email, as core normalises it.
func ClientEmailKey(email string) string { return ClientEmailPrefix + email }

// ClientContractsOf is the prefix of the references to client clientID's contracts. It ends in
// "/", so that client "c1" does not see the contracts of client "c10".
//
// "The client has no contracts" is the comparison
//
//	clientv3.Compare(clientv3.CreateRevision(ClientContractsOf(id)), "=", 0).WithPrefix()
//
// which etcd 3.4 and 3.7 both evaluate as true over an empty range and false as soon as one key
// exists in it (every key of a range must satisfy a comparison; an empty range is compared as
// one absent key, whose create revision is 0). TestCompare_EmptyPrefix shows it on both.
func ClientContractsOf(clientID string) string { return ClientContractsPrefix + clientID + "/" }

// ClientContractKey is the reference from client clientID to its contract contractID.
func ClientContractKey(clientID, contractID string) string {
	return ClientContractsOf(clientID) + contractID
}

// ContractEventsOf is the prefix of the references to contract contractID's events; see
// ClientContractsOf.
func ContractEventsOf(contractID string) string { return ContractEventsPrefix + contractID + "/" }

// ContractEventKey is the reference from contract contractID to its event eventID.
func ContractEventKey(contractID, eventID string) string {
	return ContractEventsOf(contractID) + eventID
}
