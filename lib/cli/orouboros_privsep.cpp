#include "cli/orouboros_privsep.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>

#include "base/error.hpp"

namespace orou::cli {

namespace {

using listener::Identity;
using Raw = RawListenerOptions;

const std::string& mail_dir(const Raw& r) {
    return !r.mboxdir.empty() ? r.mboxdir : !r.maildir.empty() ? r.maildir : r.wmaildir;
}

void require_access(const Identity& id, const char* program, const std::string& path, int mode) {
    if (path.empty() || listener::can_access_as(id, path, mode)) return;
    const char* verb = mode == X_OK ? "run" : (mode & W_OK) ? "write to" : "read";
    throw ExitError(EX_NOPERM, std::string(program) + " runs as " + id.name + ", who cannot " + verb + " " + path);
}

void check_files(const Raw& r, const Separation& s) {
    // orouboros-smtpd starts as root, reads its files, then drops to its user.
    for (auto [id, program] :
         {std::pair{&s.authcheck, "orouboros-authcheck"}, std::pair{&s.deliver, "orouboros-mbox-deliver"}})
        require_access(*id, program, r.libexec + "/" + program, X_OK);
    require_access(s.authcheck, "orouboros-authcheck", r.creds, R_OK);
    require_access(s.deliver, "orouboros-mbox-deliver", mail_dir(r), W_OK | X_OK);
    if (!r.forward && !r.relay_mx && r.smarthost.host.empty()) return;
    require_access(s.forwarder, "orouboros-forward", r.libexec + "/orouboros-forward", X_OK);
    for (const auto* f :
         {&r.home.ca, &r.home.password_file, &r.smarthost.ca, &r.smarthost.password_file, &r.relay_dnssec_anchor})
        require_access(s.forwarder, "orouboros-forward", *f, R_OK);
}

void make_socket_dir(const std::string& dir) {
    std::error_code ec;
    if (std::filesystem::create_directories(dir, ec)) check_sys(::chmod(dir.c_str(), 0755), "set the mode of " + dir);
    if (ec) throw SysError("create " + dir, ec.value());
}

listener::Port stage_port(const std::string& dir, const std::string& name, const std::string& command,
                          const Identity* user, const Separation* s, int log_fd) {
    listener::Port p;
    p.argv = split_words(command);
    p.label = name;
    p.path = dir + "/" + name + ".sock";
    p.socket_group = s ? s->smtpd.gid : ::getgid();
    if (user) p.user = *user;
    p.log_fd = log_fd;
    return p;
}

}  // namespace

Separation separate(const Raw& r, bool mail_dir_is_new) {
    Separation s{listener::lookup_user(r.smtpd_user),
                 listener::lookup_user(r.authcheck_user),
                 listener::lookup_user(r.deliver_user),
                 {}};
    if (r.forward || r.relay_mx || !r.smarthost.host.empty()) s.forwarder = listener::lookup_user(r.forwarder_user);
    const std::string& mail = mail_dir(r);
    if (mail_dir_is_new)
        check_sys(::chown(mail.c_str(), s.deliver.uid, s.deliver.gid), "give " + mail + " to " + s.deliver.name);
    check_files(r, s);
    make_socket_dir(r.socket_dir);
    return s;
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
    if (path_.find_first_of(" \t") != std::string::npos) throw ConfigError("TMPDIR may not contain blanks: " + path_);
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
