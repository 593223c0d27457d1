/* fuzz_csv.c: libFuzzer target for the CSV reader. Every input is read to the end with automatic
 * detection and with each forced encoding; the reader must never crash, leak or read out of
 * bounds, and every record it returns must keep its promises (NUL-terminated fields whose
 * lengths match, valid UTF-8, line numbers that never go backwards); it refuses a file at open
 * only when it is empty or its BOM contradicts its text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void read_all(const uint8_t *data, size_t size, enum fw_encoding enc)
{
    fw_csv *c = NULL;
    fw_err err = {0};
    if (fw_csv_open_mem(data, size, "fuzz.csv", enc, &c, &err) != FW_OK) {
        /* Only two files are refused at once: an empty one, and (detecting) one whose UTF-8 BOM
         * stands over text that is mostly not UTF-8. */
        int empty = size == 0 && strstr(err.msg, "file is empty");
        int bom = enc == FW_ENC_AUTO && size >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0 &&
                  err.code == FW_EDATA && strstr(err.msg, "the mark contradicts the encoding");
        if (!empty && !bom)
            abort();
        return;
    }
    fw_csv_record rec;
    long last_line = 0;
    int rc;
    while ((rc = fw_csv_next(c, &rec, &err)) == 1) {
        if (rec.line < last_line || rec.line < 1 || rec.n < 1)
            abort();
        last_line = rec.line;
        for (int i = 0; i < rec.n; i++)
            if (strlen(rec.fields[i]) != rec.lens[i])
                abort();
        if ((rec.bad == NULL) != (rec.bad_col == 0))
            abort();
    }
    if (rc != 0 && (rc != FW_EDATA || err.code != FW_EDATA || err.msg[0] == '\0'))
        abort();
    char hash[65];
    fw_csv_sha256(c, hash);
    if (rc == 0 && fw_csv_bytes_done(c) != (long long)size)
        abort();
    fw_csv_close(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    read_all(data, size, FW_ENC_AUTO);
    read_all(data, size, FW_ENC_UTF8);
    read_all(data, size, FW_ENC_GB18030);
    return 0;
}
