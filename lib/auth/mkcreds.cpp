#include "auth/mkcreds.hpp"

#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <cerrno>

#include "auth/credentials.hpp"
#include "auth/password_input.hpp"
#include "base/error.hpp"

namespace orou::auth {

namespace {

enum class Command { Add, Passwd, Del, List };

Command parse_command(const MkcredsOptions& opt) {
    const std::string& c = opt.command;
    if (c.empty()) throw ExitError(EX_USAGE, "no command (add, passwd, del or list)");
    if (c != "add" && c != "passwd" && c != "del" && c != "list")
        throw ExitError(EX_USAGE, "unknown command " + c + " (add, passwd, del or list)");
    if (c == "list") {
        if (!opt.user.empty()) throw ExitError(EX_USAGE, "list takes no USER");
        return Command::List;
    }
    if (opt.user.empty()) throw ExitError(EX_USAGE, c + " needs a USER");
    if (!valid_user_name(opt.user))
        throw ExitError(EX_DATAERR, "invalid user name (empty, control bytes, over 255 bytes, or reserved)");
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

}  // namespace

AskPassword password_source(bool from_stdin) {
    if (from_stdin) return [] { return read_password_line(STDIN_FILENO); };
    return [] { return ask_password_twice(); };
}

int mkcreds_main(const MkcredsOptions& opt, const AskPassword& ask, std::ostream& out) {
    Command command = parse_command(opt);
    CredentialStore store = load_store(opt.file, command == Command::Add);
    if (command == Command::List) {
        for (const auto& user : store.users()) out << user << '\n';
        out.flush();
        return out ? EX_OK : EX_IOERR;
    }
    bool exists = store.contains(opt.user);
    if (command == Command::Add && exists) throw ExitError(EX_DATAERR, "user " + opt.user + " already exists");
    if (command != Command::Add && !exists) throw ExitError(EX_NOUSER, "no user " + opt.user);
    if (command == Command::Del) {
        (void)store.remove(opt.user);
    } else {
        store.set(opt.user, ask());
    }
    save_store(store, opt.file);
    return EX_OK;
}

}  // namespace orou::auth
