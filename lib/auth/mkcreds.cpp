#include "auth/mkcreds.hpp"

#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <span>
#include <utility>

#include "auth/credentials.hpp"
#include "auth/password_input.hpp"
#include "auth/senders.hpp"
#include "base/error.hpp"
#include "log/log.hpp"

namespace orou::auth {

namespace {

enum class Command { Add, Passwd, Del, List, Senders };

// senders USER [list] | add SENDER... | remove SENDER...
void check_senders_args(const std::vector<std::string>& args) {
    if (args.empty()) return;
    const std::string& verb = args.front();
    if (verb != "list" && verb != "add" && verb != "remove")
        throw ExitError(EX_USAGE, "unknown senders command " + verb + " (list, add or remove)");
    if (verb == "list" && args.size() > 1) throw ExitError(EX_USAGE, "senders USER list takes no SENDER");
    if (verb != "list" && args.size() == 1) throw ExitError(EX_USAGE, "senders USER " + verb + " needs a SENDER");
}

Command parse_command(const MkcredsOptions& opt) {
    const std::string& c = opt.command;
    if (c.empty()) throw ExitError(EX_USAGE, "no command (add, passwd, del, list or senders)");
    if (c != "add" && c != "passwd" && c != "del" && c != "list" && c != "senders")
        throw ExitError(EX_USAGE, "unknown command " + c + " (add, passwd, del, list or senders)");
    if (c == "senders") check_senders_args(opt.args);
    else if (!opt.args.empty()) throw ExitError(EX_USAGE, c + " takes nothing after USER");
    if (c == "list") {
        if (!opt.user.empty()) throw ExitError(EX_USAGE, "list takes no USER");
        return Command::List;
    }
    if (opt.user.empty()) throw ExitError(EX_USAGE, c + " needs a USER");
    if (!valid_user_name(opt.user))
        throw ExitError(EX_DATAERR, "invalid user name (empty, control bytes, over 255 bytes, or reserved)");
    if (c == "senders") return Command::Senders;
    return c == "add" ? Command::Add : c == "passwd" ? Command::Passwd : Command::Del;
}

// The store in the file; an empty one when the file is missing and the
// command may create it.
CredentialStore load_store(const std::string& path, bool may_create) {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0 && errno == ENOENT) {
        if (may_create) return CredentialStore();
        throw ExitError(EX_NOINPUT, "credentials file " + path + " does not exist");
    }
    return CredentialStore::load(path);
}

void save_store(const CredentialStore& store, const std::string& path) {
    try {
        store.save(path);
    } catch (const SysError& e) {
        throw ExitError(EX_CANTCREAT, std::string(e.what()) + " (" + path + " is unchanged)");
    }
}

int flushed(std::ostream& out) {
    out.flush();
    return out ? EX_OK : EX_IOERR;
}

// Each user a line; a user with senders mapped, a tab and them.
int list_users(const CredentialStore& store, std::ostream& out) {
    for (const auto& user : store.users()) {
        out << user;
        const char* separator = "\t";
        for (const auto& sender : store.senders(user)) out << std::exchange(separator, " ") << sender;
        out << '\n';
    }
    return flushed(out);
}

// The user's senders with `given` added to them or removed from them.
std::vector<std::string> changed_senders(std::vector<std::string> senders, bool add, std::span<const std::string> given,
                                         const std::string& user) {
    for (const auto& entry : given) {
        auto sender = normalize_sender(entry);
        if (!sender)
            throw ExitError(EX_DATAERR, "invalid sender " + log::escape(entry) + " (want local@domain, @domain or *)");
        auto it = std::find(senders.begin(), senders.end(), *sender);
        if (add && it == senders.end()) senders.push_back(*sender);
        if (!add && it == senders.end()) throw ExitError(EX_DATAERR, "user " + user + " has no sender " + *sender);
        if (!add) senders.erase(it);
    }
    return senders;
}

int senders_command(CredentialStore& store, const MkcredsOptions& opt, std::ostream& out) {
    if (opt.args.empty() || opt.args.front() == "list") {
        for (const auto& sender : store.senders(opt.user)) out << sender << '\n';
        return flushed(out);
    }
    const std::span<const std::string> given(opt.args.begin() + 1, opt.args.end());
    store.set_senders(opt.user, changed_senders(store.senders(opt.user), opt.args.front() == "add", given, opt.user));
    save_store(store, opt.file);
    return EX_OK;
}

}  // namespace

AskPassword password_source(bool from_stdin) {
    if (from_stdin) return [] { return read_password_line(STDIN_FILENO); };
    return [] { return ask_password_twice(); };
}

int mkcreds_main(const MkcredsOptions& opt, const AskPassword& ask, std::ostream& out) {
    Command command = parse_command(opt);
    CredentialStore store = load_store(opt.file, command == Command::Add);
    if (command == Command::List) return list_users(store, out);
    bool exists = store.contains(opt.user);
    if (command == Command::Add && exists) throw ExitError(EX_DATAERR, "user " + opt.user + " already exists");
    if (command != Command::Add && !exists) throw ExitError(EX_NOUSER, "no user " + opt.user);
    if (command == Command::Senders) return senders_command(store, opt, out);
    if (command == Command::Del) {
        (void)store.remove(opt.user);
    } else {
        store.set(opt.user, ask());
    }
    save_store(store, opt.file);
    return EX_OK;
}

}  // namespace orou::auth
