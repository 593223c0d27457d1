/* paths.c: resolution of shipped and user file locations (see paths.h). */
#include "audit/paths.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/util.h"

#ifndef FW_DATADIR
#define FW_DATADIR "/usr/local/share/fundwatch"
#endif
#ifndef FW_LOCALEDIR
#define FW_LOCALEDIR "/usr/local/share/locale"
#endif

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The source checkout when the running binary is <checkout>/<builddir>/fundwatch (or a test binary
 * at <checkout>/<builddir>/tests/x), else NULL. */
static const char *checkout_root(void)
{
    static char root[PATH_MAX];
    static int done;
    if (done)
        return root[0] ? root : NULL;
    done = 1;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return NULL;
    exe[n] = '\0';
    for (int up = 0; up < 3; up++) {
        char *slash = strrchr(exe, '/');
        if (!slash)
            break;
        *slash = '\0';
        char probe[PATH_MAX + 32];
        snprintf(probe, sizeof probe, "%s/profiles", exe);
        char probe2[PATH_MAX + 32];
        snprintf(probe2, sizeof probe2, "%s/audit", exe);
        if (is_dir(probe) && is_dir(probe2)) {
            snprintf(root, sizeof root, "%s", exe);
            return root;
        }
    }
    return NULL;
}

const char *fw_datadir(void)
{
    const char *env = getenv("FUNDWATCH_DATADIR");
    if (env && *env)
        return env;
    const char *root = checkout_root();
    return root ? root : FW_DATADIR;
}

const char *fw_localedir(void)
{
    static char dir[PATH_MAX + 32];
    const char *root = checkout_root();
    if (root) {
        char exe[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (n > 0) {
            exe[n] = '\0';
            char *slash = strrchr(exe, '/');
            if (slash)
                *slash = '\0';
            snprintf(dir, sizeof dir, "%s/locale", exe);
            if (is_dir(dir))
                return dir;
            snprintf(dir, sizeof dir, "%s/build/locale", root);
            if (is_dir(dir))
                return dir;
        }
    }
    return FW_LOCALEDIR;
}

const char *fw_configdir(void)
{
    static char dir[PATH_MAX];
    const char *xdg = getenv("XDG_CONFIG_HOME");
    if (xdg && *xdg)
        snprintf(dir, sizeof dir, "%s/fundwatch", xdg);
    else
        snprintf(dir, sizeof dir, "%s/.config/fundwatch", getenv("HOME") ? getenv("HOME") : ".");
    return dir;
}
