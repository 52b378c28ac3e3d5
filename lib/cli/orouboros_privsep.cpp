#include "cli/orouboros_privsep.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>

#include "base/error.hpp"
#include "cli/orouboros_dkim.hpp"
#include "io/stage_spec.hpp"

namespace orou::cli {

namespace {

using listener::Identity;
using Raw = RawListenerOptions;

const std::string& mail_dir(const Raw& r) {
    return !r.mboxdir.empty() ? r.mboxdir : !r.maildir.empty() ? r.maildir : r.wmaildir;
}

void require_access(std::vector<Problem>& out, const Identity& id, const char* program, const std::string& path,
                    int mode) {
    if (path.empty() || listener::can_access_as(id, path, mode)) return;
    const char* verb = mode == X_OK ? "run" : (mode & W_OK) ? "write to" : "read";
    out.push_back({EX_NOPERM, std::string(program) + " runs as " + id.name + ", who cannot " + verb + " " + path});
}

bool forwards(const Raw& r) { return r.forward || r.relay_mx || !r.smarthost.host.empty(); }

// Each file that a part's user cannot reach.
std::vector<Problem> file_problems(const Raw& r, const Separation& s) {
    std::vector<Problem> out;
    // orouboros-smtpd starts as root, reads its files, then drops to its user.
    for (auto [id, program] :
         {std::pair{&s.authcheck, "orouboros-authcheck"}, std::pair{&s.deliver, "orouboros-mbox-deliver"}})
        require_access(out, *id, program, r.libexec + "/" + program, X_OK);
    require_access(out, s.authcheck, "orouboros-authcheck", r.creds, R_OK);
    // A mail directory that is not there yet is made at start, the delivery user's.
    if (::access(mail_dir(r).c_str(), F_OK) == 0)
        require_access(out, s.deliver, "orouboros-mbox-deliver", mail_dir(r), W_OK | X_OK);
    if (!forwards(r)) return out;
    require_access(out, s.forwarder, "orouboros-forward", r.libexec + "/orouboros-forward", X_OK);
    for (const auto* f :
         {&r.home.ca, &r.home.password_file, &r.smarthost.ca, &r.smarthost.password_file, &r.relay_dnssec_anchor})
        require_access(out, s.forwarder, "orouboros-forward", *f, R_OK);
    return out;
}

void make_socket_dir(const std::string& dir) {
    std::error_code ec;
    if (std::filesystem::create_directories(dir, ec)) check_sys(::chmod(dir.c_str(), 0755), "set the mode of " + dir);
    if (ec) throw SysError("create " + dir, ec.value());
}

listener::Port stage_port(const std::string& dir, const std::string& name, const std::string& command,
                          const Identity* user, const Separation* s, int log_fd) {
    listener::Port p;
    p.argv = io::split_quoted(command);
    p.label = name;
    p.path = dir + "/" + name + ".sock";
    p.socket_group = s ? s->smtpd.gid : ::getgid();
    if (user) p.user = *user;
    p.log_fd = log_fd;
    return p;
}

// With --verify, orouboros-verify in front of the local and forward
// stages, as the smtpd user (whose group alone may reach their sockets).
void chain_verify(const std::string& dir, const std::string& command, const Separation* s, int log_fd,
                  std::vector<listener::Port>& ports, Routes& routes) {
    if (command.empty()) return;
    auto chain = [&](const char* name, std::string& route) {
        if (route.empty()) return;
        ports.push_back(stage_port(dir, name, command + " --next " + route, s ? &s->smtpd : nullptr, s, log_fd));
        route = "unix:" + ports.back().path;
    };
    chain("verify-local", routes.local);
    chain("verify-forward", routes.forward);
}

}  // namespace

Separation separate(const Raw& r, bool mail_dir_is_new) {
    Separation s{listener::lookup_user(r.smtpd_user),
                 listener::lookup_user(r.authcheck_user),
                 listener::lookup_user(r.deliver_user),
                 {},
                 {}};
    if (forwards(r)) s.forwarder = listener::lookup_user(r.forwarder_user);
    const std::string& mail = mail_dir(r);
    if (mail_dir_is_new)
        check_sys(::chown(mail.c_str(), s.deliver.uid, s.deliver.gid), "give " + mail + " to " + s.deliver.name);
    if (auto problems = file_problems(r, s); !problems.empty())
        throw ExitError(problems.front().status, problems.front().text);
    if (!r.dkim_keys.empty()) s.dkim = dkim_identity(r, s.smtpd);
    check_dkim(r, r.dkim_keys.empty() ? nullptr : &s.dkim);
    make_socket_dir(r.socket_dir);
    return s;
}

std::vector<Problem> separation_problems(const Raw& r) {
    std::vector<Problem> out;
    Separation s;
    auto look_up = [&](const std::string& name, listener::Identity& id) {
        try {
            id = listener::lookup_user(name);
            return true;
        } catch (const ExitError& e) {
            out.push_back({e.status(), e.what()});
        } catch (const ConfigError& e) {
            out.push_back({EX_CONFIG, e.what()});
        }
        return false;
    };
    bool found =
        look_up(r.smtpd_user, s.smtpd) & look_up(r.authcheck_user, s.authcheck) & look_up(r.deliver_user, s.deliver);
    if (forwards(r)) found = look_up(r.forwarder_user, s.forwarder) && found;
    if (!found) return out;
    auto files = file_problems(r, s);
    out.insert(out.end(), files.begin(), files.end());
    return out;
}

std::vector<listener::Port> stage_ports(const std::string& dir, const StageCommands& commands, const Separation* s,
                                        int log_fd, int max_sessions, Routes& routes) {
    std::vector<listener::Port> ports;
    auto add = [&](const std::string& name, const std::string& command, const Identity* user, std::string& route) {
        if (command.empty()) return;
        ports.push_back(stage_port(dir, name, command, user, s, log_fd));
        route = "unix:" + ports.back().path;
    };
    add("authcheck", commands.auth, s ? &s->authcheck : nullptr, routes.auth);
    add("deliver", commands.local, s ? &s->deliver : nullptr, routes.local);
    add("forward", commands.forward, s ? &s->forwarder : nullptr, routes.forward);
    add("relay", commands.relay, s ? &s->forwarder : nullptr, routes.relay);
    chain_verify(dir, commands.verify, s, log_fd, ports, routes);
    chain_signer(dir, commands.sign, s ? &s->dkim : nullptr, ports, routes.relay);
    // Each stage gets the listening socket itself and serves it with a
    // pool of workers: no fork per connection (listener/workers.hpp).
    for (auto& p : ports) {
        p.hand_over = true;
        p.argv.insert(p.argv.end(), {"--max-connections", std::to_string(max_sessions * listener::kStagesPerSession)});
    }
    return ports;
}

PrivateDir::PrivateDir() {
    std::string templ = std::filesystem::temp_directory_path().string() + "/orouboros.XXXXXX";
    if (!::mkdtemp(templ.data())) throw SysError("make a directory for the stages' sockets", errno);
    path_ = templ;
}

PrivateDir::~PrivateDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
}

std::string state_dir(const std::string& socket_dir, const Identity& authcheck) {
    std::string dir = socket_dir + "/authcheck";
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) throw SysError("create " + dir, errno);
    check_sys(::chown(dir.c_str(), authcheck.uid, authcheck.gid), "give " + dir + " to " + authcheck.name);
    check_sys(::chmod(dir.c_str(), 0700), "set the mode of " + dir);
    return dir;
}

Fd open_log_file(const std::string& target) {
    if (target == "STDERR" || target == "STDOUT" || target == "NONE" || target == "JOURNAL") return Fd();
    int fd = ::open(target.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0) throw SysError("open log file " + target, errno);
    return Fd(fd);
}

}  // namespace orou::cli
