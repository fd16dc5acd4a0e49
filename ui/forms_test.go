package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"

	"github.com/epicevents/crm/core"
)

// buttonTexts lists the texts of the buttons in objs.
func buttonTexts(objs []fyne.CanvasObject) []string {
	var out []string
	for _, o := range objs {
		if b, ok := o.(*widget.Button); ok {
			out = append(out, b.Text)
		}
	}
	return out
}

// TestClientForm_RelatedListsAfterFetch: the client form reads its contacts, contracts and
// events in the background and shows them once read (settle runs what the fetch hands to the
// UI goroutine; nothing is filled before).
func TestClientForm_RelatedListsAfterFetch(t *testing.T) {
	e := newEnv(t, true)
	admin := e.actor(adminEmail)
	k := e.signedContract(nil)
	ev := e.eventAt(k, "Fetched Gala", fixedNow.Add(72*3600e9), nil)
	c, err := e.svc.GetClient(admin, k.ClientID)
	mustNoErr(t, err)
	g := e.startAs(adminEmail)
	f := showClientForm(g.main, &c)
	if len(f.contracts.Objects) != 0 || len(f.commercial.sel.Options) != 0 {
		t.Fatal("the form was filled on the UI goroutine before the fetch handed its data over")
	}
	g.settle()
	got := buttonTexts(f.contracts.Objects)
	kq, _, err := e.svc.ListContracts(admin, core.ContractQuery{ClientID: c.ID})
	mustNoErr(t, err)
	if len(got) != len(kq) || len(kq) == 0 {
		t.Errorf("contracts shown %q, core lists %d", got, len(kq))
	}
	evs := strings.Join(buttonTexts(f.events.Objects), "\n")
	if !strings.Contains(evs, ev.Name) {
		t.Errorf("events shown %q, want %s", evs, ev.Name)
	}
	if f.commercialID() != c.CommercialID || len(f.commercial.sel.Options) == 0 {
		t.Errorf("the commercial picker shows %q of %d choices, want the client's", f.commercial.sel.Selected, len(f.commercial.sel.Options))
	}
}

// TestEventForm_OpensAfterFetch: the event form opens once its client, contacts and contract
// are read, with the support picker's choices from core and the client's name.
func TestEventForm_OpensAfterFetch(t *testing.T) {
	e := newEnv(t, true)
	k := e.signedContract(nil)
	ev := e.eventAt(k, "Picker Gala", fixedNow.Add(72*3600e9), e.actor(lucas))
	g := e.startAs(adminEmail)
	f := showEventForm(g.main, &ev)
	if f.dlg != nil {
		t.Fatal("the form opened before its data was read")
	}
	g.settle()
	if f.dlg == nil || f.support == nil {
		t.Fatal("the form did not open with a support picker after the fetch")
	}
	if f.support.Options[0] != "(unassigned)" || len(f.support.Options) < 2 {
		t.Errorf("support choices %q", f.support.Options)
	}
	if f.supportID() != e.actor(lucas).ID() {
		t.Errorf("the picker shows %q, want Lucas", f.support.Selected)
	}
	c, err := e.svc.GetClient(e.actor(adminEmail), k.ClientID)
	mustNoErr(t, err)
	if !strings.Contains(f.client.Text, c.FullName) {
		t.Errorf("client row %q, want %s", f.client.Text, c.FullName)
	}
}

// TestEventForm_FetchErrorShown: an event whose client cannot be read (damaged) opens, and a
// dialog over it says why.
func TestEventForm_FetchErrorShown(t *testing.T) {
	var bad uuid.UUID
	e := newEnvWith(t, true, func(path string) { bad = damageClientOfContract(t, path) })
	evs, _, err := e.svc.ListEvents(e.actor(adminEmail), core.EventQuery{})
	mustNoErr(t, err)
	var ev *core.Event
	for i := range evs {
		if evs[i].ClientID == bad {
			ev = &evs[i]
		}
	}
	if ev == nil {
		t.Skip("the seed has no event of the damaged client's contract")
	}
	g := e.startAs(adminEmail)
	f := showEventForm(g.main, ev)
	g.settle()
	if f.dlg == nil {
		t.Fatal("the form did not open")
	}
	if got := dialogTexts(g); !strings.Contains(got, bad.String()+" is damaged") {
		t.Errorf("the dialog says %q", got)
	}
}

// TestContractForm_CommercialAfterFetch: the contract form opens once the client and the
// collaborators' names are read, naming both.
func TestContractForm_CommercialAfterFetch(t *testing.T) {
	e := newEnv(t, true)
	admin := e.actor(adminEmail)
	k := e.signedContract(nil)
	c, err := e.svc.GetClient(admin, k.ClientID)
	mustNoErr(t, err)
	cs, err := e.svc.Contacts(admin)
	mustNoErr(t, err)
	g := e.startAs(adminEmail)
	f := showContractForm(g.main, &k)
	if f.dlg != nil {
		t.Fatal("the form opened before its data was read")
	}
	g.settle()
	got := dialogTexts(g)
	want := names{}
	for _, x := range cs {
		want[x.ID] = x
	}
	if !strings.Contains(got, c.FullName) || !strings.Contains(got, want.name(k.CommercialID)) {
		t.Errorf("the form says %q, want %s and %s", got, c.FullName, want.name(k.CommercialID))
	}
}

// TestClientForm_DamagedEventLeftOut: a damaged event of the client is left out of the form's
// events, as the events tab leaves it out, with no error; the contracts are all listed. The
// form shows what core's lists show one by one.
func TestClientForm_DamagedEventLeftOut(t *testing.T) {
	const party = "Startup Launch Party"
	e := newEnvWith(t, true, func(path string) { damageEventNamed(t, path, party) })
	g := e.startAs(lucas)
	f := openFormOf[*clientForm](t, g, g.main.clients, "Kevin Casey")
	evs := strings.Join(buttonTexts(f.events.Objects), "\n")
	if strings.Contains(evs, party) {
		t.Errorf("the damaged event is listed: %q", evs)
	}
	if got := dialogTexts(g); strings.Contains(got, "damaged") {
		t.Errorf("a damaged record left out of a list is not an error: %q", got)
	}
	lucasA := e.actor(lucas)
	ks, _, err := e.svc.ListContracts(lucasA, core.ContractQuery{ClientID: f.client.ID})
	mustNoErr(t, err)
	var want []string
	for _, k := range ks {
		es, _, err := e.svc.ListEvents(lucasA, core.EventQuery{ContractID: k.ID})
		mustNoErr(t, err)
		for _, ev := range es {
			want = append(want, ev.Name)
		}
	}
	if n := len(buttonTexts(f.contracts.Objects)); n != len(ks) || n == 0 {
		t.Errorf("%d contracts shown, core lists %d", n, len(ks))
	}
	shown := buttonTexts(f.events.Objects)
	if len(shown) != len(want) {
		t.Fatalf("events shown %q, core lists %q", shown, want)
	}
	for i := range want {
		if !strings.HasPrefix(shown[i], want[i]+" — ") {
			t.Errorf("event %d shows %q, core lists %q", i, shown[i], want[i])
		}
	}
}

// damageEventNamed flips a byte of the stored event of that name.
func damageEventNamed(t *testing.T, path, name string) {
	t.Helper()
	id := seedID(t, path, "event "+name, func(tx core.Tx) (id uuid.UUID, err error) {
		evs, _, err := tx.Events(core.EventFilter{})
		for _, ev := range evs {
			if ev.Name == name {
				id = ev.ID
			}
		}
		return id, err
	})
	flipValueByte(t, path, "events", id[:])
}
