/* users.h: the people who work in a workspace on a shared PostgreSQL server (issue 13,
 * docs/users.md): each a LOGIN role of the server, a member of the workspace's group role for what
 * they do (fw_inspector_<workspace id>, ...; the roles are audit/vocab.h's FW_USER_ROLE_LIST), and a
 * row of the table users saying which regions they see. Row-level security (migration 7) reads that
 * row by session_user, so the database, not fundwatch, keeps each user to their regions. On SQLite
 * (one workstation) there are no users: every call returns FW_EUSAGE saying so. */
#ifndef FW_USERS_H
#define FW_USERS_H

#include <stdbool.h>
#include <stddef.h>

#include "audit/store.h"
#include "audit/util.h"
#include "audit/vocab.h"

/* One user of the workspace, as `user list` shows it. */
typedef struct fw_user_entry {
    char *name;          /* the server's role name */
    char *role;          /* the users.role code (fw_user_roles) */
    char *regions;       /* comma list of codes, as stored */
    char *regions_words; /* "旧州镇 (522622101), 黄平县 (522622)": the codes with the places' names */
    char *created_at, *created_by;
} fw_user_entry;

/* FW_OK on PostgreSQL; on SQLite FW_EUSAGE with the message that roles do not apply there. */
int fw_users_supported(fw_ws *ws, fw_err *err);

/* The workspace's group role of a role ("fw_inspector_<id>") into buf. */
void fw_user_group_role(fw_ws *ws, enum fw_user_role role, char *buf, size_t n);

/* Whether roles of this role take regions: inspector, supervisor and auditor must have at least
 * one; a rule author sees no personal data and a kiosk only what its functions return, so neither
 * takes any. */
bool fw_user_role_has_regions(enum fw_user_role role);

/* Adds the user: checks that this session may (CREATEROLE, and the workspace's owner), the name,
 * and each region code (6, 9 or 12 digits, carried by some row of persons or payments: otherwise
 * FW_EDATA listing the known codes of that length with their names); then, in one transaction, the
 * LOGIN role NAME (made, with password's SCRAM verifier when password is not NULL, or taken as it
 * is when the server already has it: *existed says so), the group role made or brought up to date,
 * NAME made its member, the users row and a trail record (user.add). FW_ECONFLICT when NAME is
 * already a user of this workspace. */
int fw_user_add(fw_ws *ws, const char *name, enum fw_user_role role, const char *const *regions, int nregions,
                const char *password, bool *existed, fw_err *err);

/* Removes the user from this workspace: NAME leaves the group role, the users row goes, a trail
 * record (user.remove); the server's role is dropped when it belongs to no other role and owns
 * nothing (*dropped), else kept (another workspace's user). FW_ENOTFOUND when NAME is no user. */
int fw_user_remove(fw_ws *ws, const char *name, bool *dropped, fw_err *err);

/* The users, by name; caller frees with fw_user_list_free. */
int fw_user_list(fw_ws *ws, fw_user_entry **out, int *n, fw_err *err);
void fw_user_list_free(fw_user_entry *list, int n);

#endif
