#include "deliver/recover.hpp"

#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>

#include "base/error.hpp"
#include "deliver/mbox_lock.hpp"

namespace orou::deliver {

namespace {

namespace fs = std::filesystem;

// The subdirectories of `root` (the mailboxes), not following links.
std::vector<std::string> mailboxes(const std::string& root) {
    std::vector<std::string> out;
    std::error_code ec;
    for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec))
        if (it->is_directory(ec) && !it->is_symlink(ec)) out.push_back(it->path().string());
    if (ec) throw SysError("read the directory " + root, ec.value());
    return out;
}

bool recover_one_mbox(const std::string& inbox, const LockTimes& times, log::Logger& log) {
    std::string note;
    try {
        Repair r = recover_mbox(inbox, times, note);
        if (r == Repair::Repaired) log.event(log::Level::Warning, "repair", {{"mailbox", inbox}, {"done", note}});
        if (r == Repair::Busy) log.event(log::Level::Info, "repair", {{"mailbox", inbox}, {"done", note}});
        return r != Repair::Busy;
    } catch (const SysError& e) {
        log.event(log::Level::Error, "repair", {{"mailbox", inbox}, {"error", e.what()}});
        return false;
    }
}

// Removes the files of a Maildir's tmp/ older than kMaildirTmpAge.
bool clean_tmp(const std::string& maildir, log::Logger& log) {
    const std::string tmp = maildir + "/tmp";
    const std::time_t limit = std::time(nullptr) - std::chrono::seconds(kMaildirTmpAge).count();
    std::error_code ec;
    for (fs::directory_iterator it(tmp, ec), end; !ec && it != end; it.increment(ec)) {
        struct stat st;
        const std::string path = it->path().string();
        if (::lstat(path.c_str(), &st) < 0 || !S_ISREG(st.st_mode) || st.st_mtime >= limit) continue;
        if (::unlink(path.c_str()) < 0) {
            log.event(log::Level::Error, "repair", {{"mailbox", maildir}, {"error", "cannot remove " + path}});
            return false;
        }
        log.event(log::Level::Warning, "repair",
                  {{"mailbox", maildir}, {"done", "removed " + path + " (left in tmp/)"}});
    }
    return true;
}

}  // namespace

int recover_all(const StoreConfig& config, log::Logger& log) {
    bool ok = true;
    if (config.layout == Layout::SingleMaildir) return clean_tmp(config.root, log) ? EX_OK : EX_TEMPFAIL;
    for (const auto& dir : mailboxes(config.root)) {
        if (config.layout == Layout::Mbox) ok &= recover_one_mbox(dir + "/INBOX", config.lock, log);
        else ok &= clean_tmp(dir, log);
    }
    return ok ? EX_OK : EX_TEMPFAIL;
}

}  // namespace orou::deliver
