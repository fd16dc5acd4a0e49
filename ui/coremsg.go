package ui

import (
	"errors"
	"fmt"

	"github.com/epicevents/crm/core"
)

// frCodes holds the French text of every core code: the same fmt format as the English text of
// core (arguments may be picked with %[n]s and left out).
var frCodes = map[core.Code]string{
	core.CodeRequired:               "est obligatoire",
	core.CodeEmailInvalid:           "n'est pas une adresse e-mail valide",
	core.CodeEmailNotASCII:          "doit être écrit en caractères ASCII simples (un domaine accentué sous sa forme xn--)",
	core.CodeTooLong:                "doit faire au plus %d caractères",
	core.CodeTooShort:               "doit faire au moins %d caractères",
	core.CodePhoneChars:             "ne peut contenir que des chiffres, un + au début, des espaces, points, tirets et parenthèses",
	core.CodePhoneDigits:            "doit avoir de %d à %d chiffres",
	core.CodeTextInvalid:            "n'est pas un texte valide",
	core.CodeOneLine:                "doit tenir sur une ligne, sans caractère de contrôle",
	core.CodeNoVisibleChar:          "doit contenir un caractère visible",
	core.CodeControlChars:           "ne doit pas contenir de caractère de contrôle",
	core.CodeAmountSyntax:           "doit être un montant comme 1500 ou 1500,50 (deux décimales au plus)",
	core.CodeAmountInvalid:          "doit être un montant comme 1500 ou 1500,50",
	core.CodeTwoDecimals:            "doit avoir au plus deux décimales",
	core.CodeNotPositive:            "doit être supérieur à 0",
	core.CodeAmountTooLarge:         "doit être au plus 999 999 999,99",
	core.CodeNegative:               "ne doit pas être négatif",
	core.CodeDueOverTotal:           "ne doit pas dépasser le montant total",
	core.CodeYearRange:              "doit être entre les années 1900 et 9999",
	core.CodeEndBeforeStart:         "doit être après le début",
	core.CodeInPast:                 "ne doit pas être dans le passé",
	core.CodeAttendeesRange:         "doit être entre 0 et %d",
	core.CodeWholeAttendees:         "doit être un nombre entier entre 0 et %d",
	core.CodeTimeSyntax:             "l'heure s'écrit heures:minutes, comme 18:30",
	core.CodeSkippedHour:            "%s n'existe pas à l'heure locale : on avance les horloges à cette heure-là ; choisissez une autre heure",
	core.CodeDaysRange:              "doit être entre 1 et 36500",
	core.CodePasswordRule:           "doit contenir une minuscule, une majuscule, un chiffre et un symbole",
	core.CodePasswordIsEmail:        "ne doit pas être l'e-mail du compte",
	core.CodePasswordIncorrect:      "est incorrect",
	core.CodePasswordUnchanged:      "doit être différent du mot de passe actuel",
	core.CodeDepartmentInvalid:      "doit être commercial, support ou gestion",
	core.CodeNoSuchCollaborator:     "ce collaborateur n'existe pas",
	core.CodeWrongDepartment:        "doit être membre du service %s",
	core.CodeCollaboratorInactive:   "le compte de ce collaborateur est désactivé",
	core.CodeCommercialRequired:     "est obligatoire : choisissez le commercial chargé de ce client",
	core.CodeNotAnID:                "%q n'est pas un identifiant : donnez l'identifiant entier ou ses %d premiers caractères ou plus",
	core.CodeNegativeCounts:         "les nombres ne doivent pas être négatifs",
	core.CodeContractsNeedClients:   "les contrats demandent des clients : générez aussi des clients",
	core.CodeEventsNeedContracts:    "les événements demandent des contrats : générez aussi des contrats",
	core.CodeExportType:             "impossible d'exporter des enregistrements de type %q",
	core.CodeNotLoggedIn:            "vous n'êtes pas connecté",
	core.CodeBadCredentials:         "e-mail ou mot de passe invalide",
	core.CodeSessionExpired:         "votre session a expiré ou n'est plus valide ; reconnectez-vous",
	core.CodeLoginThrottled:         "trop d'échecs de connexion ; réessayez dans %s",
	core.CodePasswordThrottled:      "trop d'échecs de mot de passe ; réessayez dans %s",
	core.CodeAccountDeactivated:     "ce compte est désactivé",
	core.CodeDepartmentForbidden:    "votre service (%[1]s) n'a pas ce droit",
	core.CodeOwnDepartment:          "vous ne pouvez pas changer votre propre service",
	core.CodeOwnAccountActive:       "vous ne pouvez pas désactiver ou réactiver votre propre compte",
	core.CodeOwnAccountDelete:       "vous ne pouvez pas supprimer votre propre compte",
	core.CodeOwnPassword:            "utilisez Changer le mot de passe pour votre propre compte (le mot de passe actuel est demandé)",
	core.CodeViewCollaborators:      "votre service (%s) ne peut pas voir les autres collaborateurs",
	core.CodeNotOwnClient:           "vous ne pouvez modifier que vos propres clients",
	core.CodeNotOwnContract:         "vous ne pouvez modifier que les contrats de vos propres clients",
	core.CodeNotOwnEvent:            "vous ne pouvez modifier que les événements qui vous sont attribués",
	core.CodeNotOwnContractEvent:    "vous ne pouvez créer des événements que pour les contrats de vos propres clients",
	core.CodeOtherCommercial:        "vous devenez le commercial des clients que vous créez : vous ne pouvez pas en désigner un autre",
	core.CodeAmbiguousID:            "le début d'identifiant %[1]q désigne plusieurs enregistrements ; tapez plus de caractères",
	core.CodeNoEmployeeNumber:       "aucun numéro d'employé libre trouvé ; réessayez",
	core.CodeStillContactDelete:     "impossible de supprimer un collaborateur encore contact de clients, contrats ou événements ; réattribuez-les d'abord (ou désactivez le compte)",
	core.CodeStillContactDepartment: "impossible de changer le service d'un collaborateur encore contact de clients, contrats ou événements ; réattribuez-les d'abord",
	core.CodeAlreadyActive:          "le compte est déjà actif",
	core.CodeAlreadyDeactivated:     "le compte est déjà désactivé",
	core.CodeAlreadyInitialised:     "la base de données est déjà initialisée",
	core.CodeContractCancelled:      "un contrat annulé ne peut plus être modifié",
	core.CodeContractState:          "impossible : le contrat est déjà dans l'état %[2]s",
	core.CodeContractHasEvents:      "ce contrat a encore des événements ; supprimez-les d'abord",
	core.CodeClientHasContracts:     "ce client a encore des contrats ; supprimez-les d'abord",
	core.CodeContractNotSigned:      "le contrat doit être signé avant de créer un événement (état : %s)",
	core.CodeEventsFrozen:           "le contrat est annulé : ses événements ne peuvent plus changer",
	core.CodeEmailTaken:             "cette adresse e-mail est déjà utilisée par un autre client",
	core.CodeUserEmailTaken:         "cette adresse e-mail est déjà utilisée par un autre collaborateur",
	core.CodeEmployeeNumberTaken:    "ce numéro d'employé est déjà utilisé par un autre collaborateur",
	core.CodeNotFound:               "introuvable : %s",
	core.CodeRecordDamaged:          "l'enregistrement %s %s est endommagé et n'est pas montré ; lancez une vérification de la base",
	core.CodeIndexDamaged:           "une entrée d'index des enregistrements %s est endommagée ; lancez une vérification de la base",
	core.CodeDamagedInTheWay:        "un enregistrement %s endommagé empêche cette modification ; lancez une vérification de la base",
	core.CodeClusterUnreachable:     "le cluster de l'équipe est injoignable ; les modifications locales sont conservées et seront envoyées plus tard",
	core.CodeInUse:                  "la base de données est utilisée par un autre programme (%s)",
	core.CodeDatabaseDamaged:        "la base de données est endommagée : %s",
	core.CodeNewerSchema:            "la base de données %s a été écrite par une version plus récente d'Epic Events CRM (schéma %d, ce programme connaît jusqu'à %d) : utilisez cette version plus récente",
	core.CodeDiskFull:               "le disque est plein ou le fichier a atteint sa taille maximale : rien n'a été enregistré ; libérez de la place et réessayez",
	core.CodeCannotWrite:            "impossible d'écrire %s : %s",
	core.CodeNoOutput:               "aucun fichier où écrire",
	core.CodeOwnFile:                "%s est un des fichiers de la base de données (la base, ses copies ou la session) ; choisissez un autre fichier",
	core.CodeBackupUnusable:         "la sauvegarde %s est inutilisable : %v",
	core.CodeBeyondRepair:           "le fichier lui-même est endommagé (ses pages ou ses compartiments), ce que la réparation ne peut pas corriger : restaurez la dernière sauvegarde (%v)",
	// Team mode (core/team.go, replica).
	core.CodeSoloMode:              "ce portable n'est pas dans une équipe (mode solo) ; voir 'epicevents team --help'",
	core.CodeAlreadyInTeam:         "ce portable est déjà dans une équipe",
	core.CodeHasDatabase:           "ce portable a déjà une base de données : seul un portable sans base de données rejoint une équipe",
	core.CodeClusterHasDataset:     "le cluster contient déjà les données d'une équipe : rejoignez-la avec 'epicevents team join' sur un portable sans base de données",
	core.CodeClusterNoDataset:      "le cluster ne contient aucune donnée d'équipe : la gestion les publie avec 'epicevents team create'",
	core.CodeOutboxPending:         "%d modifications locales ne sont pas encore arrivées au cluster : synchronisez d'abord ('epicevents sync')",
	core.CodeConflictsPending:      "%d conflits attendent d'être résolus : voir 'epicevents sync conflicts'",
	core.CodeEditEmpty:             "est vide : indiquez les valeurs à garder",
	core.CodeResolutionInvalid:     "vaut %q : choisissez mine, theirs ou edit",
	core.CodeNotAField:             "n'est pas un champ d'un enregistrement %s",
	core.CodeUnknownRecordType:     "type d'enregistrement inconnu %q",
	core.CodeEndpointsRequired:     "est obligatoire : les URL clientes du cluster, https://hote:2379",
	core.CodeEndpointInvalid:       "%q n'est pas une URL http:// ou https:// avec un hôte et un port",
	core.CodeCertNeedsKey:          "un certificat client demande à la fois --cert et --key",
	core.CodeUserWithPassword:      "est obligatoire avec un mot de passe",
	core.CodeCACertUnreadable:      "ne peut pas être lu : %v",
	core.CodeCACertNoPEM:           "ne contient aucun certificat PEM",
	core.CodeCertUnloadable:        "ne peut pas être chargé avec sa clé : %v",
	core.CodeClusterRefused:        "le cluster de l'équipe a refusé l'identité de ce portable (%s) : %v",
	core.CodeChangeContended:       "les enregistrements de la modification %s changent sans cesse dans le cluster ; réessayez",
	core.CodeNoIdentityDeactivated: "%s est désactivé : un collaborateur désactivé n'a pas d'identité etcd",
	core.CodeStatusChange:          "un contrat %s ne peut pas devenir %s",
	core.CodeNotOwnRecord:          "vous ne pouvez agir que sur vos propres enregistrements (%[2]s)",
	// The client import (core/importcsv.go).
	core.CodeCSVEmpty:          "le fichier est vide : il faut une ligne d'en-tête et au moins un client",
	core.CodeCSVTooLarge:       "le fichier dépasse %d Mo",
	core.CodeCSVEncoding:       "la ligne %d n'est pas du texte UTF-8 : enregistrez le fichier au format « CSV UTF-8 »",
	core.CodeCSVMalformed:      "la ligne %d n'est pas du CSV valide (vérifiez ses guillemets)",
	core.CodeCSVColumnUnknown:  "colonne inconnue %q : les colonnes sont nom, email, téléphone, entreprise, notes et commercial (ou leurs noms anglais)",
	core.CodeCSVColumnTwice:    "la colonne %q apparaît deux fois",
	core.CodeCSVColumnMissing:  "le fichier n'a pas de colonne %s",
	core.CodeCSVCells:          "cette ligne a %d cellules alors que l'en-tête en a %d",
	core.CodeImportDuplicate:   "cet e-mail figure déjà à la ligne %d du fichier",
	core.CodeImportRejected:    "rien n'a été importé : %d ligne(s) comportent des erreurs, la première à la ligne %d",
	core.CodeImportNotYours:    "ce client appartient à un autre commercial : vous ne pouvez modifier que vos propres clients",
	core.CodeImportOtherOwner:  "les clients que vous importez sont les vôtres : vous ne pouvez pas désigner un autre commercial",
	core.CodeImportReassign:    "l'import ne change pas le commercial d'un client : réattribuez le client depuis la liste des clients",
	core.CodeImportNoCommerial: "aucun commercial actif ne s'appelle %q",
	core.CodeImportAmbiguous:   "plusieurs commerciaux s'appellent %q : donnez plutôt leur e-mail",
	core.CodeImportNeedsOwner:  "est obligatoire : choisissez le commercial chargé de ce client (e-mail, identifiant ou nom)",
}

// coreMessage returns the message of a core error in the language of the window, without its
// field: core's English text, or the French text of its code (frCodes) filled with the same
// arguments. An error without a code (the sync wire's, an unexpected one) is shown as core wrote it.
func coreMessage(e *core.Error) string {
	if !french || e.Code == "" {
		return e.Message
	}
	f, ok := frCodes[e.Code]
	if !ok {
		return e.Message
	}
	return fmt.Sprintf(f, e.Args...)
}

// codedError returns the *core.Error of err when it carries a code.
func codedError(err error) (*core.Error, bool) {
	var e *core.Error
	if errors.As(err, &e) && e.Code != "" {
		return e, true
	}
	return nil, false
}
