/* kiosk.h: the citizen kiosk's two queries (民生监督一体机, issue 13, docs/kiosk.md): one person's
 * own benefits of the last 24 months by ID number, and a citizen report ("这笔钱我没有收到") on one
 * of those payments. The screen (tui/kiosk.c) gets typed rows and never sees a statement.
 *
 * On PostgreSQL both are calls of the SECURITY DEFINER functions fw_kiosk_lookup / fw_kiosk_report
 * that migration 8 made (audit/schema.c): the kiosk's login may execute those and nothing else, and
 * the functions check the ID, enforce the rate limit and append the trail on the server, so a
 * client cannot skip any of it. On SQLite (one workstation, no grants) this file does the same
 * steps itself in one write transaction. */
#ifndef FW_KIOSK_H
#define FW_KIOSK_H

#include <stdbool.h>
#include <stddef.h>

#include "audit/store.h"

enum fw_kiosk_status {
    FW_KIOSK_FOUND,  /* rows hold the payments */
    FW_KIOSK_NONE,   /* a valid ID with no payment in the window */
    FW_KIOSK_BAD_ID, /* not 18 characters or a wrong check character (GB 11643): nothing looked up */
    FW_KIOSK_RATE,   /* the kiosk's lookups of the last minute reached the limit: nothing looked up */
};

/* One payment as the citizen sees it. */
typedef struct fw_kiosk_payment {
    char *program;
    char *period;      /* YYYY-MM */
    long long amount;  /* fen */
    char *department;  /* the paying township (the ledger has no department column) */
    char *payment_key; /* the payments row_key: what a report names */
    char *pay_date;
} fw_kiosk_payment;

typedef struct fw_kiosk_result {
    enum fw_kiosk_status status;
    char name[96];          /* masked: 张* (fw_kiosk_mask_name) */
    char from[8], to[8];    /* the window, YYYY-MM..YYYY-MM (24 months ending at the latest payment month) */
    int rate;               /* FW_KIOSK_RATE: the limit that was reached */
    int n;
    fw_kiosk_payment *rows; /* newest month first */
} fw_kiosk_result;

/* Lookups a minute per kiosk unless told otherwise (--rate; on PostgreSQL the setting kiosk.rate,
 * which a client may only lower). */
enum { FW_KIOSK_DEFAULT_RATE = 10, FW_KIOSK_MONTHS = 24 };

/* Whether typed is an 18-character resident ID number with the right check character (lower-case x
 * accepted); out gets it upper-cased. No lookup is made for one that is not. */
bool fw_kiosk_id_valid(const char *typed, char out[19]);

/* A name as the kiosk shows it: the first character, then one * for each of the others (张三 → 张*,
 * 欧阳娜娜 → 欧***); idempotent, so a name the server masked stays as it is. */
void fw_kiosk_mask_name(const char *name, char *out, size_t n);

/* Looks the ID up for kiosk (rate: this kiosk's limit a minute; <= 0: FW_KIOSK_DEFAULT_RATE). Every
 * lookup and every refusal for the rate is recorded in the trail (kiosk.lookup, kiosk.refused) with
 * the ID's salted SHA-256, not the ID. FW_OK with out->status, or an error (the workspace). The
 * caller frees out with fw_kiosk_result_free. */
int fw_kiosk_lookup(fw_ws *ws, const char *kiosk, const char *id_number, int rate, fw_kiosk_result *out,
                    fw_err *err);
void fw_kiosk_result_free(fw_kiosk_result *r);

/* Records a citizen report on one payment of id_number (payment_key from a lookup): a row of
 * citizen_reports and a trail record kiosk.report, together. *report_id gets its number. FW_EDATA
 * when the payment is not that ID's. */
int fw_kiosk_report(fw_ws *ws, const char *kiosk, const char *id_number, const char *payment_key,
                    long long *report_id, fw_err *err);

/* A kiosk runs for days: after a lookup or report failed because the connection was lost (the
 * server restarted), *ws is replaced by a new connection to the same workspace and true returned,
 * so the caller may try once more; false (ws unchanged) for any other failure or when the new
 * connection fails too. */
bool fw_kiosk_reconnect(fw_ws **ws);

/* `rules test` examples of reports ("citizen_reports: payment_id=P1, kiosk=K1"): a report on the
 * payment of that payment_id already loaded into ws, in the caller's transaction. */
#define FW_KIOSK_EXAMPLE_DATASET "citizen_reports"
int fw_kiosk_example(fw_ws *ws, int n, const char *const *names, const char *const *values, fw_err *err);

/* The salted hash the trail records for an ID number: SHA-256 of "fundwatch-kiosk:WORKSPACE_ID:ID"
 * (the same on both engines; docs/kiosk.md says why a hash). out: 64 hex + NUL. */
void fw_kiosk_id_hash(fw_ws *ws, const char *id_number, char out[65]);

#endif
