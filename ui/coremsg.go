package ui

import "strings"

// frCore translates the messages of core that people meet most in the window. core writes its
// messages in English for the CLI and the logs; the window shows them in French when the system
// locale is French. A message not listed here is shown as core wrote it.
var frCore = map[string]string{
	"is required":                  "est obligatoire",
	"is not a valid email address": "n'est pas une adresse e-mail valide",
	"is not valid text":            "n'est pas un texte valide",
	"must be on one line, without control characters":                                    "doit tenir sur une ligne, sans caractère de contrôle",
	"must contain a visible character":                                                   "doit contenir un caractère visible",
	"must be written in plain ASCII characters (a domain with accents in its xn-- form)": "doit être écrit en caractères ASCII simples (un domaine accentué sous sa forme xn--)",
	"may contain only digits, a leading +, spaces, dots, dashes and parentheses":         "ne peut contenir que des chiffres, un + au début, des espaces, points, tirets et parenthèses",
	"must have 6 to 20 digits":                                                           "doit avoir de 6 à 20 chiffres",
	"must be at least 2 characters":                                                      "doit faire au moins 2 caractères",
	"must be at most 255 characters":                                                     "doit faire au plus 255 caractères",
	"must be at most 500 characters":                                                     "doit faire au plus 500 caractères",
	"must be at most 10000 characters":                                                   "doit faire au plus 10000 caractères",
	"must be at least 8 characters":                                                      "doit faire au moins 8 caractères",
	"must be at most 128 characters":                                                     "doit faire au plus 128 caractères",
	"must contain a lower-case letter, an upper-case letter, a digit and a symbol":       "doit contenir une minuscule, une majuscule, un chiffre et un symbole",
	"must not be the account's email":                                                    "ne doit pas être l'e-mail du compte",
	"must be an amount such as 1500 or 1500.50 (at most two decimals)":                   "doit être un montant comme 1500 ou 1500,50 (deux décimales au plus)",
	"must be greater than 0":                                                             "doit être supérieur à 0",
	"must be at most 999,999,999.99":                                                     "doit être au plus 999 999 999,99",
	"must not be negative":                                                               "ne doit pas être négatif",
	"must not exceed the total amount":                                                   "ne doit pas dépasser le montant total",
	"must be after the start":                                                            "doit être après le début",
	"must not be in the past":                                                            "ne doit pas être dans le passé",
	"must be between 0 and 100000":                                                       "doit être entre 0 et 100000",
	"invalid email or password":                                                          "e-mail ou mot de passe invalide",
	"this account is deactivated":                                                        "ce compte est désactivé",
	"is incorrect":                                                                       "est incorrect",
	"must differ from the current password":                                              "doit être différent du mot de passe actuel",
	"an email address is already used by another client":                                 "cette adresse e-mail est déjà utilisée par un autre client",
	"this client still has contracts; delete them first":                                 "ce client a encore des contrats ; supprimez-les d'abord",
	"this contract still has events; delete them first":                                  "ce contrat a encore des événements ; supprimez-les d'abord",
	"your session has expired or is no longer valid; please log in again":                "votre session a expiré ou n'est plus valide ; reconnectez-vous",
	"you cannot delete your own account":                                                 "vous ne pouvez pas supprimer votre propre compte",
	"you cannot deactivate or reactivate your own account":                               "vous ne pouvez pas désactiver ou réactiver votre propre compte",
	"a cancelled contract cannot be changed":                                             "un contrat annulé ne peut plus être modifié",
	"the contract is cancelled: its events can no longer change":                         "le contrat est annulé : ses événements ne peuvent plus changer",
	"this collaborator's account is deactivated":                                         "le compte de ce collaborateur est désactivé",
	"the database is already initialised":                                                "la base de données est déjà initialisée",
	"must be a member of the support department":                                         "doit être membre du service support",
	"must be a member of the commercial department":                                      "doit être membre du service commercial",
	"must be commercial, support or management (gestion)":                                "doit être commercial, support ou gestion",
	"is required: name the commercial in charge of this client":                          "est obligatoire : choisissez le commercial chargé de ce client",
	"use Change password for your own account (the current password is required)":        "utilisez Changer le mot de passe pour votre propre compte (le mot de passe actuel est demandé)",
}

// coreMessage returns a core message in the language of the window.
func coreMessage(msg string) string {
	if !french {
		return msg
	}
	if fr, ok := frCore[msg]; ok {
		return fr
	}
	const tooMany = "too many failed login attempts; try again in "
	if rest, ok := strings.CutPrefix(msg, tooMany); ok {
		return "trop d'échecs de connexion ; réessayez dans " + rest
	}
	const skipped = " does not exist in local time: the clocks go forward at that hour; choose another time"
	if when, ok := strings.CutSuffix(msg, skipped); ok {
		return when + " n'existe pas à l'heure locale : on avance les horloges à cette heure-là ; choisissez une autre heure"
	}
	const notSigned = "the contract must be signed before an event is created"
	if strings.HasPrefix(msg, notSigned) {
		return "le contrat doit être signé avant de créer un événement"
	}
	if strings.HasPrefix(msg, "cannot delete a collaborator who is still the contact") {
		return "impossible de supprimer un collaborateur encore contact de clients, contrats ou événements ; réattribuez-les d'abord (ou désactivez le compte)"
	}
	return msg
}
