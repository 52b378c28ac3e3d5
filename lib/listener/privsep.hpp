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

// Forks, becomes `id` unless it is null (setgroups, setgid, setuid;
// regaining root must fail) and runs argv (no PATH search, no shell) with
// `conn` as its stdin and stdout, `log_fd` as its stderr (-1: inherited),
// USER, LOGNAME and HOME set for the user and `env` ("NAME=value") added
// to the environment.  The child gets SIGTERM when its parent dies.
Child spawn_as(const Identity* id, const std::vector<std::string>& argv, int conn, int log_fd,
               const std::vector<std::string>& env);

// In a child after fork: default signal actions, nothing blocked.
void reset_signals();

// Whether `id` may access `path` with `mode` (R_OK, W_OK, X_OK), tried
// by a child that has become the user.
bool can_access_as(const Identity& id, const std::string& path, int mode);

}  // namespace orou::listener
