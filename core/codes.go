package core

import (
	"regexp"
	"strings"
)

// Every error people may meet carries a stable Code (Error.Code). The English text of each code
// is here, in codeTexts; faces translate by code (the window's French texts are in ui/coremsg.go),
// so a reworded English sentence never silently loses its translation.
//
// To add a code: one constant below, its English text in codeTexts, its French text in
// ui/coremsg.go (frCodes). TestCodes_Texts (core) and TestCoreCodes_French (ui) fail until all
// three exist. Build the error with NewError(kind, code, args...) or FieldError(field, code,
// args...): the text is a fmt format and args fill it, in every language.

// Code is the stable identifier of an error: the same across versions and languages.
type Code string

// The codes.
const (
	CodeRequired               Code = "required"
	CodeEmailInvalid           Code = "email_invalid"
	CodeEmailNotASCII          Code = "email_not_ascii"
	CodeTooLong                Code = "too_long"
	CodeTooShort               Code = "too_short"
	CodePhoneChars             Code = "phone_chars"
	CodePhoneDigits            Code = "phone_digits"
	CodeTextInvalid            Code = "text_invalid"
	CodeOneLine                Code = "one_line"
	CodeNoVisibleChar          Code = "no_visible_char"
	CodeControlChars           Code = "control_chars"
	CodeAmountSyntax           Code = "amount_syntax"
	CodeAmountInvalid          Code = "amount_invalid"
	CodeTwoDecimals            Code = "two_decimals"
	CodeNotPositive            Code = "not_positive"
	CodeAmountTooLarge         Code = "amount_too_large"
	CodeNegative               Code = "negative"
	CodeDueOverTotal           Code = "due_over_total"
	CodeYearRange              Code = "year_range"
	CodeEndBeforeStart         Code = "end_before_start"
	CodeInPast                 Code = "in_past"
	CodeAttendeesRange         Code = "attendees_range"
	CodeWholeAttendees         Code = "whole_attendees"
	CodeTimeSyntax             Code = "time_syntax"
	CodeSkippedHour            Code = "skipped_hour"
	CodeDaysRange              Code = "days_range"
	CodePasswordRule           Code = "password_rule"
	CodePasswordIsEmail        Code = "password_is_email"
	CodePasswordIncorrect      Code = "password_incorrect"
	CodePasswordUnchanged      Code = "password_unchanged"
	CodeDepartmentInvalid      Code = "department_invalid"
	CodeNoSuchCollaborator     Code = "no_such_collaborator"
	CodeWrongDepartment        Code = "wrong_department"
	CodeCollaboratorInactive   Code = "collaborator_inactive"
	CodeCommercialRequired     Code = "commercial_required"
	CodeNotAnID                Code = "not_an_id"
	CodeNegativeCounts         Code = "negative_counts"
	CodeContractsNeedClients   Code = "contracts_need_clients"
	CodeEventsNeedContracts    Code = "events_need_contracts"
	CodeExportType             Code = "export_type"
	CodeNotLoggedIn            Code = "not_logged_in"
	CodeBadCredentials         Code = "bad_credentials"
	CodeSessionExpired         Code = "session_expired"
	CodeLoginThrottled         Code = "login_throttled"
	CodePasswordThrottled      Code = "password_throttled"
	CodeAccountDeactivated     Code = "account_deactivated"
	CodeDepartmentForbidden    Code = "department_forbidden"
	CodeOwnDepartment          Code = "own_department"
	CodeOwnAccountActive       Code = "own_account_active"
	CodeOwnAccountDelete       Code = "own_account_delete"
	CodeOwnPassword            Code = "own_password"
	CodeViewCollaborators      Code = "view_collaborators"
	CodeNotOwnClient           Code = "not_own_client"
	CodeNotOwnContract         Code = "not_own_contract"
	CodeNotOwnEvent            Code = "not_own_event"
	CodeNotOwnContractEvent    Code = "not_own_contract_event"
	CodeOtherCommercial        Code = "other_commercial"
	CodeAmbiguousID            Code = "ambiguous_id"
	CodeNoEmployeeNumber       Code = "no_employee_number"
	CodeStillContactDelete     Code = "still_contact_delete"
	CodeStillContactDepartment Code = "still_contact_department"
	CodeAlreadyActive          Code = "already_active"
	CodeAlreadyDeactivated     Code = "already_deactivated"
	CodeAlreadyInitialised     Code = "already_initialised"
	CodeContractCancelled      Code = "contract_cancelled"
	CodeContractState          Code = "contract_state"
	CodeContractHasEvents      Code = "contract_has_events"
	CodeClientHasContracts     Code = "client_has_contracts"
	CodeContractNotSigned      Code = "contract_not_signed"
	CodeEventsFrozen           Code = "events_frozen"
	CodeEmailTaken             Code = "email_taken"
	CodeUserEmailTaken         Code = "user_email_taken"
	CodeEmployeeNumberTaken    Code = "employee_number_taken"
	CodeNotFound               Code = "not_found"
	CodeRecordDamaged          Code = "record_damaged"
	CodeIndexDamaged           Code = "index_damaged"
	CodeDamagedInTheWay        Code = "damaged_in_the_way"
	CodeClusterUnreachable     Code = "cluster_unreachable"
	CodeInUse                  Code = "in_use"
	CodeDatabaseDamaged        Code = "database_damaged"
	CodeNewerSchema            Code = "newer_schema"
	CodeDiskFull               Code = "disk_full"
	// Files written and read by administration (storage/output.go, storage/repair.go).
	CodeCannotWrite    Code = "cannot_write"
	CodeNoOutput       Code = "no_output"
	CodeOwnFile        Code = "own_file"
	CodeBackupUnusable Code = "backup_unusable"
	CodeBeyondRepair   Code = "beyond_repair"
	// Team mode (team.go, package replica).
	CodeSoloMode              Code = "solo_mode"
	CodeAlreadyInTeam         Code = "already_in_team"
	CodeHasDatabase           Code = "has_database"
	CodeClusterHasDataset     Code = "cluster_has_dataset"
	CodeClusterNoDataset      Code = "cluster_no_dataset"
	CodeOutboxPending         Code = "outbox_pending"
	CodeConflictsPending      Code = "conflicts_pending"
	CodeEditEmpty             Code = "edit_empty"
	CodeResolutionInvalid     Code = "resolution_invalid"
	CodeNotAField             Code = "not_a_field"
	CodeUnknownRecordType     Code = "unknown_record_type"
	CodeEndpointsRequired     Code = "endpoints_required"
	CodeEndpointInvalid       Code = "endpoint_invalid"
	CodeCertNeedsKey          Code = "cert_needs_key"
	CodeUserWithPassword      Code = "user_with_password"
	CodeCACertUnreadable      Code = "cacert_unreadable"
	CodeCACertNoPEM           Code = "cacert_no_pem"
	CodeCertUnloadable        Code = "cert_unloadable"
	CodeClusterRefused        Code = "cluster_refused"
	CodeChangeContended       Code = "change_contended"
	CodeNoIdentityDeactivated Code = "no_identity_deactivated"
	CodeStatusChange          Code = "status_change"
	CodeNotOwnRecord          Code = "not_own_record"
)

// The import's codes (importcsv.go) keep their texts in ImportTexts; they join codeTexts so that
// Codes, Text and the faces' tests see every code.
func init() {
	for c, t := range ImportTexts {
		codeTexts[Code(c)] = t
	}
}

// codeTexts holds the English text (a fmt format) of every code.
var codeTexts = map[Code]string{
	CodeRequired:               "is required",
	CodeEmailInvalid:           "is not a valid email address",
	CodeEmailNotASCII:          "must be written in plain ASCII characters (a domain with accents in its xn-- form)",
	CodeTooLong:                "must be at most %d characters",
	CodeTooShort:               "must be at least %d characters",
	CodePhoneChars:             "may contain only digits, a leading +, spaces, dots, dashes and parentheses",
	CodePhoneDigits:            "must have %d to %d digits",
	CodeTextInvalid:            "is not valid text",
	CodeOneLine:                "must be on one line, without control characters",
	CodeNoVisibleChar:          "must contain a visible character",
	CodeControlChars:           "must not contain control characters",
	CodeAmountSyntax:           "must be an amount such as 1500 or 1500.50 (at most two decimals)",
	CodeAmountInvalid:          "must be an amount such as 1500 or 1500.50",
	CodeTwoDecimals:            "must have at most two decimals",
	CodeNotPositive:            "must be greater than 0",
	CodeAmountTooLarge:         "must be at most 999,999,999.99",
	CodeNegative:               "must not be negative",
	CodeDueOverTotal:           "must not exceed the total amount",
	CodeYearRange:              "must be between the years 1900 and 9999",
	CodeEndBeforeStart:         "must be after the start",
	CodeInPast:                 "must not be in the past",
	CodeAttendeesRange:         "must be between 0 and %d",
	CodeWholeAttendees:         "must be a whole number between 0 and %d",
	CodeTimeSyntax:             "time must be written as hours:minutes, such as 18:30",
	CodeSkippedHour:            "%s does not exist in local time: the clocks go forward at that hour; choose another time",
	CodeDaysRange:              "must be between 1 and 36500",
	CodePasswordRule:           "must contain a lower-case letter, an upper-case letter, a digit and a symbol",
	CodePasswordIsEmail:        "must not be the account's email",
	CodePasswordIncorrect:      "is incorrect",
	CodePasswordUnchanged:      "must differ from the current password",
	CodeDepartmentInvalid:      "must be commercial, support or management (gestion)",
	CodeNoSuchCollaborator:     "no such collaborator",
	CodeWrongDepartment:        "must be a member of the %s department",
	CodeCollaboratorInactive:   "this collaborator's account is deactivated",
	CodeCommercialRequired:     "is required: name the commercial in charge of this client",
	CodeNotAnID:                "%q is not an id: give the full id or its first %d characters or more",
	CodeNegativeCounts:         "counts must not be negative",
	CodeContractsNeedClients:   "contracts need clients: generate some clients too",
	CodeEventsNeedContracts:    "events need contracts: generate some contracts too",
	CodeExportType:             "cannot export records of type %q",
	CodeNotLoggedIn:            "not logged in",
	CodeBadCredentials:         "invalid email or password",
	CodeSessionExpired:         "your session has expired or is no longer valid; please log in again",
	CodeLoginThrottled:         "too many failed login attempts; try again in %s",
	CodePasswordThrottled:      "too many failed password attempts; try again in %s",
	CodeAccountDeactivated:     "this account is deactivated",
	CodeDepartmentForbidden:    "your department (%s) may not %s",
	CodeOwnDepartment:          "you cannot change your own department",
	CodeOwnAccountActive:       "you cannot deactivate or reactivate your own account",
	CodeOwnAccountDelete:       "you cannot delete your own account",
	CodeOwnPassword:            "use Change password for your own account (the current password is required)",
	CodeViewCollaborators:      "your department (%s) may not view other collaborators",
	CodeNotOwnClient:           "you may update only your own clients",
	CodeNotOwnContract:         "you may update only the contracts of your own clients",
	CodeNotOwnEvent:            "you may update only the events assigned to you",
	CodeNotOwnContractEvent:    "you may create events only for your own clients' contracts",
	CodeOtherCommercial:        "you become the commercial contact of the clients you create: you may not name another commercial",
	CodeAmbiguousID:            "the id prefix %q matches several %ss; type more characters",
	CodeNoEmployeeNumber:       "no free employee number found; try again",
	CodeStillContactDelete:     "cannot delete a collaborator who is still the contact of clients, contracts or events; reassign them first (or deactivate the account)",
	CodeStillContactDepartment: "cannot change the department of a collaborator who is still the contact of clients, contracts or events; reassign them first (or deactivate the account)",
	CodeAlreadyActive:          "the account is already active",
	CodeAlreadyDeactivated:     "the account is already deactivated",
	CodeAlreadyInitialised:     "the database is already initialised",
	CodeContractCancelled:      "a cancelled contract cannot be changed",
	CodeContractState:          "cannot %s a contract that is %s",
	CodeContractHasEvents:      "this contract still has events; delete them first",
	CodeClientHasContracts:     "this client still has contracts; delete them first",
	CodeContractNotSigned:      "the contract must be signed before an event is created (it is %s)",
	CodeEventsFrozen:           "the contract is cancelled: its events can no longer change",
	CodeEmailTaken:             "a client with this email already exists",
	CodeUserEmailTaken:         "a user with this email already exists",
	CodeEmployeeNumberTaken:    "a user with this employee number already exists",
	CodeNotFound:               "%s not found",
	CodeRecordDamaged:          "the stored %s %s is damaged and is not shown; run a database check",
	CodeIndexDamaged:           "an index entry of the %s records is damaged; run a database check",
	CodeDamagedInTheWay:        "a damaged %s record prevents this change; run a database check",
	CodeClusterUnreachable:     "the team's cluster cannot be reached; local changes are kept and will be sent later",
	CodeInUse:                  "the database is in use by another program (%s)",
	CodeDatabaseDamaged:        "the database is damaged: %s",
	CodeNewerSchema:            "the database %s was written by a newer version of Epic Events CRM (schema version %d, this program knows up to %d): use the newer version of the program with it",
	CodeDiskFull:               "the disk is full or the file has reached its size limit: nothing was saved; free some space and try again",
	CodeCannotWrite:            "cannot write %s: %s",
	CodeNoOutput:               "no file to write to",
	CodeOwnFile:                "%s is one of the database's own files (the database, its copies or the session); choose another file",
	CodeBackupUnusable:         "the backup %s cannot be used: %v",
	CodeBeyondRepair:           "the file itself is damaged (its pages or buckets), which repair cannot mend: restore the latest backup (%v)",
	// Team mode.
	CodeSoloMode:              "this laptop is not in a team (solo mode); see 'epicevents team --help'",
	CodeAlreadyInTeam:         "this laptop is already in a team",
	CodeHasDatabase:           "this laptop already has a database: only a laptop with no database joins a team",
	CodeClusterHasDataset:     "the cluster already holds a team dataset: join it with 'epicevents team join' on a laptop with no database",
	CodeClusterNoDataset:      "the cluster holds no team dataset: management publishes one with 'epicevents team create'",
	CodeOutboxPending:         "%d local changes have not reached the cluster yet: run 'epicevents sync' first",
	CodeConflictsPending:      "%d conflicts wait to be resolved: see 'epicevents sync conflicts'",
	CodeEditEmpty:             "is empty: name the values to keep",
	CodeResolutionInvalid:     "is %q: use mine, theirs or edit",
	CodeNotAField:             "is not a field of a %s",
	CodeUnknownRecordType:     "unknown record type %q",
	CodeEndpointsRequired:     "is required: the cluster's client URLs, https://host:2379",
	CodeEndpointInvalid:       "%q is not an http:// or https:// URL with a host and port",
	CodeCertNeedsKey:          "a client certificate needs both --cert and --key",
	CodeUserWithPassword:      "is required with a password",
	CodeCACertUnreadable:      "cannot be read: %v",
	CodeCACertNoPEM:           "holds no PEM certificate",
	CodeCertUnloadable:        "cannot be loaded with its key: %v",
	CodeClusterRefused:        "the team's cluster refused this laptop's identity (%s): %v",
	CodeChangeContended:       "the records of change %s keep changing in the cluster; try again",
	CodeNoIdentityDeactivated: "%s is deactivated: a deactivated collaborator has no etcd identity",
	CodeStatusChange:          "a %s contract cannot become %s",
	CodeNotOwnRecord:          "you may %s only your own %ss",
}

// fmtVerb matches a fmt verb of a code's text.
var fmtVerb = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*[a-z]`)

// SampleArgs returns arguments of the right types for the verbs of code's English text (7 for
// %d, "x" for the others): for the faces' tests, which fill every language's text with them.
func SampleArgs(code Code) []any {
	var args []any
	for _, v := range fmtVerb.FindAllString(codeTexts[code], -1) {
		if strings.HasSuffix(v, "d") {
			args = append(args, 7)
		} else {
			args = append(args, "x")
		}
	}
	return args
}
