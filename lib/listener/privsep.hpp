// Running a part of the relay as its own user: the listener, started as
// root, looks the users up once, checks that each can reach its files,
// and starts every child with fork, setgroups, setgid, setuid, exec.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "base/fd.hpp"

namespace orou::listener {

struct Identity {
    std::string name;
    uid_t uid = 0;
    gid_t gid = 0;
    std::vector<gid_t> groups;  // the supplementary groups, from the group file
    std::string home;
};

// The user's identity.  Throws ExitError(EX_NOUSER) when there is no such
// user, ConfigError when the user is root (a part never runs as root).
Identity lookup_user(const std::string& name);

// Forks, becomes `id` unless it is null (empty capability bounding set,
// setgroups, setgid, setuid; regaining root must fail) and runs argv (no
// PATH search, no shell) with `conn` as its stdin and stdout, `log_fd` as
// its stderr (-1: inherited), no other descriptor, no-new-privileges,
// and a clean environment: PATH, TZ, JOURNAL_STREAM, ASAN_OPTIONS and
// UBSAN_OPTIONS when we have them, USER, LOGNAME and HOME for the user,
// and `env` ("NAME=value").  The child gets SIGTERM when its parent dies.
Child spawn_as(const Identity* id, const std::vector<std::string>& argv, int conn, int log_fd,
               const std::vector<std::string>& env);

// In a child after fork: default signal actions, nothing blocked.
void reset_signals();

// Started as root, in a program that loaded what it needs as root (a TLS
// key): confines it to `root_dir` (chroot, unless empty), empties the
// capability bounding set, becomes `id` for good and sets
// no-new-privileges; a parent-death signal is kept (setuid clears it).
// Throws SysError naming the step that failed.
void drop_privileges(const Identity& id, const std::string& root_dir);

// Whether `id` may access `path` with `mode` (R_OK, W_OK, X_OK), tried
// by a child that has become the user.
bool can_access_as(const Identity& id, const std::string& path, int mode);

}  // namespace orou::listener
