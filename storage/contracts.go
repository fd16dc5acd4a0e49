package storage

import (
	"github.com/google/uuid"

	"github.com/epicevents/crm/core"
)

var contractsTable = &table{
	record:  "contract",
	bucket:  bucketContracts,
	keyLen:  idLen,
	indexes: []*index{idxContractsByClient, idxContractsByCommercial},
	entries: func(key, val []byte) ([]entry, error) {
		id, err := keyID(key)
		if err != nil {
			return nil, err
		}
		c, err := decodeContract(val)
		if err != nil {
			return nil, err
		}
		return contractEntries(id, &c), nil
	},
}

func contractEntries(id uuid.UUID, c *core.Contract) []entry {
	return []entry{
		ownerEntry(idxContractsByClient, c.ClientID, id),
		ownerEntry(idxContractsByCommercial, c.CommercialID, id),
	}
}

func errContractNotFound() error { return core.Errorf(core.NotFound, "contract not found") }

// Contract returns the contract with that id. Errors: NotFound.
func (t *tx) Contract(id uuid.UUID) (core.Contract, error) {
	v, err := t.get(contractsTable, id[:])
	if err != nil {
		return core.Contract{}, err
	}
	if v == nil {
		return core.Contract{}, errContractNotFound()
	}
	var f contractFields
	if err := f.parse(v); err != nil {
		return core.Contract{}, core.InternalError("read contract "+id.String(), err)
	}
	return f.contract(id), nil
}

// Contracts returns the contracts that pass f, in no particular order. ClientID reads
// idx_contracts_by_client; otherwise CommercialID reads idx_contracts_by_commercial; otherwise
// Search finds the matching clients first and reads their contracts from
// idx_contracts_by_client.
func (t *tx) Contracts(f core.ContractFilter) ([]core.Contract, error) {
	search := t.newClientSearch(f.Search, clientNameAndCompany)
	src, err := t.contractSource(f, search)
	if err != nil {
		return nil, err
	}
	var cf contractFields
	return collect(src, f.Limit, func(k, v []byte) (core.Contract, bool, error) {
		id, err := keyID(k)
		if err == nil {
			err = cf.parse(v)
		}
		if err != nil {
			return core.Contract{}, false, core.InternalError("read contracts", err)
		}
		if !contractPasses(&f, &cf) {
			return core.Contract{}, false, nil
		}
		if ok, err := search.match(cf.clientID); err != nil || !ok {
			return core.Contract{}, false, err
		}
		return cf.contract(id), true, nil
	})
}

func (t *tx) contractSource(f core.ContractFilter, search *clientSearch) (source, error) {
	switch {
	case f.ClientID != uuid.Nil:
		return t.scanPrefixes(contractsTable, idxContractsByClient, f.ClientID[:]), nil
	case f.CommercialID != uuid.Nil:
		return t.scanPrefixes(contractsTable, idxContractsByCommercial, f.CommercialID[:]), nil
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
	case f.Unpaid && (c.dueSign <= 0 || string(c.status) == string(core.Cancelled)):
		return false
	}
	return true
}

// PutContract inserts or replaces c.
func (t *tx) PutContract(c *core.Contract) error {
	if c.ID == uuid.Nil {
		return core.InternalError("put contract", errNilID)
	}
	return t.put(contractsTable, bytesOf(c.ID), encodeContract(c), contractEntries(c.ID, c))
}

// DeleteContract removes a contract (whatever still refers to it). Errors: NotFound.
func (t *tx) DeleteContract(id uuid.UUID) error {
	ok, err := t.remove(contractsTable, id[:])
	if err == nil && !ok {
		return errContractNotFound()
	}
	return err
}
