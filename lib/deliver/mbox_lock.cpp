#include "deliver/mbox_lock.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <ctime>
#include <optional>

#include "base/error.hpp"

namespace orou::deliver {

namespace {

constexpr std::string_view kTag = "orouboros-mbox-deliver";
constexpr std::string_view kEntryStart = "From ";
constexpr int kMaxRemovals = 3;  // a lock that keeps coming back is not ours to fight
constexpr std::size_t kMaxLockText = 512;

// What a lock file says about its holder.
struct Holder {
    std::string text;  // all of it, to see later that it is still the same lock
    ino_t ino = 0;
    std::time_t mtime = 0;
    pid_t pid = 0;  // 0: not one of ours on this host (a foreign or empty lock)
    std::optional<AppendSpan> span;
};

std::string host_name() {
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) < 0) return "unknown";
    return name;
}

std::string lock_text(const AppendSpan* span) {
    std::string text = std::to_string(::getpid()) + "\n" + std::string(kTag) + " host=" + host_name();
    if (span) {
        text += " dev=" + std::to_string(span->dev) + " ino=" + std::to_string(span->ino) +
                " size=" + std::to_string(span->size) + " end=" + std::to_string(span->end) +
                " sep=" + (span->separator ? "1" : "0") + " created=" + (span->created ? "1" : "0");
    }
    return text + "\n";
}

template <class T>
bool number(std::string_view s, T& out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
}

// The value of " key=" in a line of words; "" when absent.
std::string_view field(std::string_view line, std::string_view key) {
    std::string k = " " + std::string(key) + "=";
    auto at = line.find(k);
    if (at == std::string_view::npos) return {};
    std::string_view v = line.substr(at + k.size());
    return v.substr(0, v.find(' '));
}

std::optional<AppendSpan> parse_span(std::string_view line) {
    AppendSpan s;
    unsigned long long dev = 0, ino = 0;
    long long size = 0, end = 0;
    if (!number(field(line, "dev"), dev) || !number(field(line, "ino"), ino) || !number(field(line, "size"), size) ||
        !number(field(line, "end"), end) || size < 0 || end < size)
        return std::nullopt;
    s.dev = static_cast<dev_t>(dev), s.ino = static_cast<ino_t>(ino);
    s.size = static_cast<off_t>(size), s.end = static_cast<off_t>(end);
    s.separator = field(line, "sep") == "1", s.created = field(line, "created") == "1";
    return s;
}

// Fills pid and span when the text is one of ours, from this host.
void parse_holder(Holder& h) {
    std::string_view t = h.text;
    auto nl = t.find('\n');
    if (nl == std::string_view::npos) return;
    std::string_view second = t.substr(nl + 1);
    second = second.substr(0, second.find('\n'));
    if (!second.starts_with(kTag) || field(second, "host") != host_name()) return;
    pid_t pid = 0;
    if (!number(t.substr(0, nl), pid) || pid <= 0) return;
    h.pid = pid;
    h.span = parse_span(second);
}

// nullopt when there is no lock (any more).
std::optional<Holder> read_holder(const std::string& path) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (!fd && errno == ENOENT) return std::nullopt;
    if (!fd) throw SysError("open the lock " + path, errno);
    struct stat st;
    check_sys(::fstat(fd.get(), &st), "stat the lock " + path);
    Holder h;
    h.ino = st.st_ino, h.mtime = st.st_mtime;
    h.text.resize(kMaxLockText);
    ssize_t n = check_sys(::pread(fd.get(), h.text.data(), h.text.size(), 0), "read the lock " + path);
    h.text.resize(static_cast<std::size_t>(n));
    parse_holder(h);
    return h;
}

bool dead(const Holder& h) {
    if (h.pid <= 0) return false;
    if (h.pid == ::getpid()) return true;  // not us now: an earlier process that had our pid
    return ::kill(h.pid, 0) < 0 && errno == ESRCH;
}

bool stale(const Holder& h, std::chrono::seconds limit) { return std::time(nullptr) - h.mtime > limit.count(); }

// The lock, created with its text in it: an O_TMPFILE linked into place, so
// it never exists empty; O_EXCL then a write where O_TMPFILE is missing.
bool try_create(const std::string& path, std::string_view text, Fd& out) {
    Fd tmp(::open(parent_dir(path).c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
    if (tmp) {
        write_all(tmp.get(), text, "write a lock");
        const std::string proc = "/proc/self/fd/" + std::to_string(tmp.get());
        if (::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, path.c_str(), AT_SYMLINK_FOLLOW) == 0) {
            out = std::move(tmp);
            return true;
        }
        if (errno == EEXIST) return false;
    }
    Fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd && errno == EEXIST) return false;
    if (!fd) throw SysError("create the lock " + path, errno);
    write_all(fd.get(), text, "write a lock");
    out = std::move(fd);
    return true;
}

// True when the bytes from span.size on begin like the entry announced.
bool looks_like_our_entry(int fd, const AppendSpan& span, off_t now) {
    const std::string expected = std::string(span.separator ? "\n" : "") + std::string(kEntryStart);
    std::string got(static_cast<std::size_t>(std::min<off_t>(now - span.size, static_cast<off_t>(expected.size()))),
                    '\0');
    ssize_t n = ::pread(fd, got.data(), got.size(), span.size);
    return n == static_cast<ssize_t>(got.size()) && expected.starts_with(got);
}

// Cuts the append a dead holder announced, when the mbox is as it left it.
std::string cut_back(int fd, const std::string& path, const AppendSpan& span, pid_t pid) {
    struct stat st;
    check_sys(::fstat(fd, &st), "stat " + path);
    const std::string who = " (left by pid " + std::to_string(pid) + ")";
    if (st.st_dev != span.dev || st.st_ino != span.ino) return "left " + path + " alone: another file now" + who;
    if (st.st_size == span.size) return "";
    if (st.st_size < span.size || st.st_size > span.end || !looks_like_our_entry(fd, span, st.st_size))
        return "left " + path + " alone: changed since" + who;
    check_sys(::ftruncate(fd, span.size), "truncate " + path);
    check_sys(::fsync(fd), "fsync " + path);
    if (span.created && span.size == 0) check_sys(::unlink(path.c_str()), "remove " + path);
    return "cut " + path + " back from " + std::to_string(st.st_size) + " to " + std::to_string(span.size) + " bytes" +
           who;
}

// Under the mbox's fcntl lock: if the lock file is still the one judged,
// undoes its holder's append and removes it.  Returns what was done.
std::string repair(const std::string& mbox, const std::string& lock, const Holder& judged, std::chrono::seconds wait) {
    Fd fd(::open(mbox.c_str(), O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (!fd && errno != ENOENT) throw SysError("open " + mbox, errno);
    if (fd) lock_whole_file(fd.get(), mbox, wait);
    auto now = read_holder(lock);
    if (!now || now->ino != judged.ino || now->text != judged.text) return "";  // someone else saw to it
    std::string done = fd && judged.span ? cut_back(fd.get(), mbox, *judged.span, judged.pid) : "";
    if (::unlink(lock.c_str()) < 0 && errno != ENOENT) throw SysError("remove the lock " + lock, errno);
    const std::string why = judged.pid > 0 && dead(judged) ? "of dead pid " + std::to_string(judged.pid) : "stale";
    return "removed the lock " + lock + " (" + why + ")" + (done.empty() ? "" : "; " + done);
}

void add_note(std::string* repairs, const std::string& note) {
    if (!repairs || note.empty()) return;
    if (!repairs->empty()) *repairs += "; ";
    *repairs += note;
}

[[noreturn]] void lock_busy(const std::string& path) {
    throw SysError("lock " + path + " (held by another process)", EAGAIN);
}

}  // namespace

DotLock::DotLock(std::string mbox_path, const LockTimes& times, std::string* repairs) : path_(mbox_path + ".lock") {
    const std::string text = lock_text(nullptr);
    const auto give_up = io::Clock::now() + times.wait;
    LockBackoff backoff;
    for (int removed = 0; !try_create(path_, text, fd_);) {
        auto holder = read_holder(path_);
        if (holder && removed < kMaxRemovals && (dead(*holder) || stale(*holder, times.stale))) {
            ++removed;
            add_note(repairs, repair(mbox_path, path_, *holder, times.wait));
            continue;
        }
        if (io::Clock::now() >= give_up) lock_busy(path_);
        if (holder) backoff.pause();
    }
}

DotLock::~DotLock() {
    struct stat mine, there;
    if (::fstat(fd_.get(), &mine) == 0 && ::lstat(path_.c_str(), &there) == 0 && mine.st_ino == there.st_ino &&
        mine.st_dev == there.st_dev)
        ::unlink(path_.c_str());
}

void DotLock::record(const AppendSpan& span) {
    const std::string text = lock_text(&span);
    check_sys(::pwrite(fd_.get(), text.data(), text.size(), 0), "write the lock " + path_);
}

Repair recover_mbox(const std::string& mbox_path, const LockTimes& times, std::string& note) {
    const std::string lock = mbox_path + ".lock";
    note.clear();
    auto holder = read_holder(lock);
    if (!holder) return Repair::None;
    if (!dead(*holder) && !stale(*holder, times.stale)) {
        note = "left the lock " + lock + ": its holder is alive";
        return Repair::Busy;
    }
    note = repair(mbox_path, lock, *holder, times.wait);
    return note.empty() ? Repair::None : Repair::Repaired;
}

}  // namespace orou::deliver
