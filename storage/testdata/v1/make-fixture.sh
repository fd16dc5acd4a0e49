#!/bin/sh
# Makes the schema-1 fixture of storage/migrate_test.go with the released v1.0.0 binary
# (tag v1.0.0, commit feae8d8). Usage: make-fixture.sh EPICEVENTS-V1-BINARY OUTPUT-DIR
# It writes OUTPUT-DIR/epicevents.db, OUTPUT-DIR/session (a token issued by v1 after a logout)
# and the --json lists the v1 binary printed, which the migration test compares against.
set -eu
V1=$1
OUT=$2
export EPICEVENTS_HOME="$OUT"
PW='Fixture-Pass1!'
rm -rf "$OUT"/epicevents.db "$OUT"/session "$OUT"/*.json
mkdir -p "$OUT"
v1() { "$V1" "$@"; }
json_id() { sed -n 's/^  "id": "\([0-9a-f-]*\)",$/\1/p' | head -n 1; }

# The first manager and the demo data (demo passwords are random; they are not kept).
printf '%s\n' "$PW" | v1 init --admin-email ada@epicevents.com --admin-name 'Ada Lovelace' \
	--password-stdin --demo > /dev/null
printf '%s\n' "$PW" | v1 login --email ada@epicevents.com --password-stdin > /dev/null

# Collaborators: a commercial, a support person, and one deactivated.
marc=$(printf '%s\n' "$PW" | v1 user create --email marc.durand@epicevents.com --name 'Marc Durand' \
	--department commercial --password-stdin --json | json_id)
nina=$(printf '%s\n' "$PW" | v1 user create --email nina.roux@epicevents.com --name 'Nina Roux' \
	--department support --password-stdin --json | json_id)
old=$(printf '%s\n' "$PW" | v1 user create --email old.timer@epicevents.com --name 'Old Timer' \
	--department gestion --password-stdin --json | json_id)
v1 user deactivate "$old" > /dev/null
v1 user update "$nina" --name 'Nina Roux-Léger' > /dev/null

# Clients: one with accents and notes, one reassigned, one updated.
c1=$(v1 client create --name 'Élodie Café' --email elodie@cafe-lumiere.fr --phone '+33 6 11 22 33 44' \
	--company 'Café Lumière' --commercial "$marc" --notes 'Préfère le matin.
Deux lignes.' --json | json_id)
c2=$(v1 client create --name 'Hugo Martin' --email hugo@atlas.io --phone '01.23.45.67.80' \
	--company 'Atlas Conseil' --commercial jean.dupont@epicevents.com --json | json_id)
c3=$(v1 client create --name 'Zoé Bernard' --email zoe@mistral.com --phone '04 56 78 90 10' \
	--company 'Mistral Digital' --commercial "$marc" --json | json_id)
v1 client assign "$c2" "$marc" > /dev/null
v1 client update "$c3" --phone '(04) 56-78-90-11' --notes 'Rappeler en janvier.' > /dev/null

# Contracts: signed and partly paid, draft, cancelled from draft, cancelled after signing.
k1=$(v1 contract create "$c1" --total 12000.50 --due 4000 --json | json_id)
v1 contract sign "$k1" > /dev/null
k2=$(v1 contract create "$c2" --total 999999999.99 --json | json_id)
k3=$(v1 contract create "$c3" --total 300 --json | json_id)
v1 contract cancel "$k3" > /dev/null
k4=$(v1 contract create "$c3" --total 7500 --due 0 --json | json_id)
v1 contract sign "$k4" > /dev/null
v1 contract update "$k2" --total 50000 --due 25000.25 > /dev/null
k5=$(v1 contract create "$c2" --total 1800 --json | json_id)
v1 contract sign "$k5" > /dev/null
v1 contract cancel "$k5" > /dev/null

# Events: assigned, unassigned, and one assigned then unassigned.
e1=$(v1 event create "$k1" --name 'Lancement Café Lumière' --start '2027-03-15 18:00' --end '2027-03-15 23:30' \
	--location 'Les Docks, Marseille' --attendees 80 --notes 'Traiteur végétarien.' --json | json_id)
v1 event assign "$e1" "$nina" > /dev/null
v1 event create "$k4" --name 'Séminaire Mistral' --start '2027-05-02 09:00' --end '2027-05-03 17:00' \
	--location 'Domaine des Oliviers, Annecy' --attendees 40 > /dev/null
e3=$(v1 event create "$k4" --name 'Soirée de clôture' --start '2027-05-03 19:00' --end '2027-05-03 23:00' \
	--location 'Annecy' --attendees 0 --json | json_id)
v1 event assign "$e3" lucas.petit@epicevents.com > /dev/null
v1 event unassign "$e3" > /dev/null
v1 event update "$e3" --attendees 35 > /dev/null

# A throttled login: five wrong passwords for a demo account (refused afterwards for 30 s).
for i in 1 2 3 4 5; do
	printf 'Wrong-Pass1!\n' | v1 login --email claire.bernard@epicevents.com --password-stdin 2> /dev/null || true
done
# One wrong password for another account: a counter below the lock.
printf 'Wrong-Pass1!\n' | v1 login --email emma.moreau@epicevents.com --password-stdin 2> /dev/null || true

# A logout (ends Ada's sessions), then Marc logs in: his token is the session kept.
v1 logout > /dev/null
printf '%s\n' "$PW" | v1 login --email ada@epicevents.com --password-stdin > /dev/null
v1 user list --json > "$OUT/users.json"
v1 client list --json > "$OUT/clients.json"
v1 contract list --json > "$OUT/contracts.json"
v1 event list --json > "$OUT/events.json"
v1 audit --json > "$OUT/audit.json"
v1 logout > /dev/null
printf '%s\n' "$PW" | v1 login --email marc.durand@epicevents.com --password-stdin > /dev/null
v1 contract list --mine --json > "$OUT/contracts-mine.json"
v1 event list --unassigned --json > "$OUT/events-unassigned.json"
v1 status --json > "$OUT/status.json"
