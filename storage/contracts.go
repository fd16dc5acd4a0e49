package storage

import (
	"github.com/google/uuid"

	"github.com/epicevents/crm/core"
)

var contractKind = newRecordKind(recordKind[core.Contract, contractFields]{
	tb:       idTable("contract", core.ContractRecord, bucketContracts, idxContractsByClient, idxContractsByCommercial, idxContractsUnsigned, idxContractsUnpaid),
	parse:    func(p []byte) (f contractFields, err error) { err = f.parse(p); return },
	id:       func(c core.Contract) uuid.UUID { return c.ID },
	encode:   func(c core.Contract, rev uint64) []byte { return encodeContract(&c, rev) },
	entries:  contractEntries,
	toWire:   func(c core.Contract) core.Wire { return c.Wire() },
	fromWire: core.Wire.Contract,
})

var contractsTable = contractKind.tb

// contractEntries lists a contract's index entries: by client and by commercial, and in
// idx_contracts_unsigned and idx_contracts_unpaid when it is a draft, or has an amount due and
// is not cancelled.
func contractEntries(id uuid.UUID, c core.Contract) []entry {
	es := []entry{
		ownerEntry(idxContractsByClient, c.ClientID, id),
		ownerEntry(idxContractsByCommercial, c.CommercialID, id),
	}
	if c.Status == core.Draft {
		es = append(es, prefixEntry(idxContractsUnsigned, nil, id[:]))
	}
	if unpaid(c.Due.Sign(), string(c.Status)) {
		es = append(es, prefixEntry(idxContractsUnpaid, nil, id[:]))
	}
	return es
}

// unpaid is the rule of the unpaid filter: an amount due and not cancelled.
func unpaid(dueSign int, status string) bool {
	return dueSign > 0 && status != string(core.Cancelled)
}

// Contract returns the contract with that id. Errors: NotFound, Damaged.
func (t *tx) Contract(id uuid.UUID) (core.Contract, error) {
	return contractKind.get(t, id)
}

// Contracts returns the contracts that pass f, in no particular order, and the number of
// damaged contracts skipped. The first set field of ClientID, CommercialID, Unsigned, Unpaid
// picks the index read (idx_contracts_by_client, idx_contracts_by_commercial,
// idx_contracts_unsigned, idx_contracts_unpaid); otherwise Search finds the matching clients
// first and reads their contracts from idx_contracts_by_client.
func (t *tx) Contracts(f core.ContractFilter) ([]core.Contract, int, error) {
	search := t.newClientSearch(f.Search, clientNameAndCompany)
	src, err := t.contractSource(f, search)
	if err != nil {
		return nil, 0, err
	}
	var cf contractFields
	return collect(contractsTable, src, f.Limit, func(k, v []byte) (core.Contract, bool, error) {
		id, err := parseKeyed(k, v, &cf)
		if err != nil {
			return core.Contract{}, false, err
		}
		if !contractPasses(&f, &cf) {
			return core.Contract{}, false, nil
		}
		if ok, err := search.match(cf.clientID); err != nil || !ok {
			return core.Contract{}, false, err
		}
		return cf.record(id), true, nil
	})
}

func (t *tx) contractSource(f core.ContractFilter, search *clientSearch) (source, error) {
	switch {
	case f.ClientID != uuid.Nil:
		return t.scanPrefixes(contractsTable, idxContractsByClient, f.ClientID[:]), nil
	case f.CommercialID != uuid.Nil:
		return t.scanPrefixes(contractsTable, idxContractsByCommercial, f.CommercialID[:]), nil
	case f.Unsigned:
		return t.scanPrefixes(contractsTable, idxContractsUnsigned, []byte{}), nil
	case f.Unpaid:
		return t.scanPrefixes(contractsTable, idxContractsUnpaid, []byte{}), nil
	case search != nil:
		clients, err := search.all()
		if err != nil {
			return nil, err
		}
		return t.scanPrefixes(contractsTable, idxContractsByClient, clients...), nil
	}
	return t.scanAll(contractsTable), nil
}

// contractPasses checks the conditions of f that need no other record.
func contractPasses(f *core.ContractFilter, c *contractFields) bool {
	switch {
	case f.ClientID != uuid.Nil && c.clientID != f.ClientID:
		return false
	case f.CommercialID != uuid.Nil && c.commercialID != f.CommercialID:
		return false
	case f.Unsigned && string(c.status) != string(core.Draft):
		return false
	case f.Unpaid && !unpaid(c.dueSign, string(c.status)):
		return false
	}
	return true
}

// PutContract inserts or replaces c. Errors: Damaged when the stored version is damaged.
func (t *tx) PutContract(c *core.Contract) error {
	return contractKind.put(t, c)
}

// DeleteContract removes a contract (whatever still refers to it). Errors: NotFound, Damaged.
func (t *tx) DeleteContract(id uuid.UUID) error {
	return contractKind.delete(t, id)
}
