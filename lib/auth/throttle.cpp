#include "auth/throttle.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>

#include "base/error.hpp"

namespace orou::auth {

namespace {

constexpr std::string_view kMagic = "orouboros-authcheck throttle v1\n";  // 32 bytes
constexpr std::size_t kKeyBytes = 32;
constexpr off_t kHeader = 64;
constexpr off_t kRecord = 32;
constexpr off_t kFileSize = kHeader + kRecord * static_cast<off_t>(kThrottleSlots);
constexpr std::size_t kMaxKeyText = 255;
static_assert(sizeof(double) == 8 && kRecord == 32);

// Blocks until the fcntl lock on [start, start + length) is ours (or
// released, for F_UNLCK).
void lock_range(int fd, off_t start, off_t length, short type, const std::string& path) {
    struct flock fl {};
    fl.l_type = type, fl.l_whence = SEEK_SET, fl.l_start = start, fl.l_len = length;
    while (::fcntl(fd, F_SETLKW, &fl) < 0)
        if (errno != EINTR) throw SysError("lock " + path, errno);
}

class RangeLock {
public:
    RangeLock(int fd, off_t start, off_t length, const std::string& path) : fd_(fd), start_(start), length_(length) {
        lock_range(fd, start, length, F_WRLCK, path);
    }
    RangeLock(const RangeLock&) = delete;
    RangeLock& operator=(const RangeLock&) = delete;
    ~RangeLock() {
        struct flock fl {};
        fl.l_type = F_UNLCK, fl.l_whence = SEEK_SET, fl.l_start = start_, fl.l_len = length_;
        ::fcntl(fd_, F_SETLK, &fl);
    }

private:
    int fd_;
    off_t start_, length_;
};

void read_exactly(int fd, void* buf, std::size_t n, off_t at, const std::string& path) {
    ssize_t got = check_sys(::pread(fd, buf, n, at), "read " + path);
    if (static_cast<std::size_t>(got) != n) std::memset(buf, 0, n);  // short: an empty record
}

void write_exactly(int fd, const void* buf, std::size_t n, off_t at, const std::string& path) {
    ssize_t put = check_sys(::pwrite(fd, buf, n, at), "write " + path);
    if (static_cast<std::size_t>(put) != n) throw SysError("write " + path + " (short)", EIO);
}

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Throttle::Clock::now().time_since_epoch()).count();
}

std::string v6_prefix(const unsigned char (&a)[16]) {
    static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    char text[INET6_ADDRSTRLEN] = {};
    if (std::memcmp(a, kMapped, sizeof kMapped) == 0) {
        ::inet_ntop(AF_INET, a + 12, text, sizeof text);
        return "v4:" + std::string(text);
    }
    unsigned char net[16] = {};
    std::memcpy(net, a, 8);
    ::inet_ntop(AF_INET6, net, text, sizeof text);
    return "v6:" + std::string(text) + "/64";
}

}  // namespace

std::string throttle_key(std::string_view address) {
    if (address.empty()) return "";
    const std::string text(address.substr(0, kMaxKeyText));
    unsigned char a[16];
    char canon[INET6_ADDRSTRLEN] = {};
    if (::inet_pton(AF_INET, text.c_str(), a) == 1 && ::inet_ntop(AF_INET, a, canon, sizeof canon))
        return "v4:" + std::string(canon);
    if (::inet_pton(AF_INET6, text.c_str(), a) == 1) return v6_prefix(a);
    return text;
}

Throttle::Throttle(const std::string& state_dir, std::chrono::milliseconds base, std::chrono::milliseconds cap)
    : path_(state_dir + "/throttle"), base_(base), cap_(cap) {
    fd_.reset(::open(path_.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd_) throw SysError("open " + path_, errno);
    init_file();
}

// Gives a new (or cut short) file its magic, a random key and its size.
void Throttle::init_file() {
    RangeLock header(fd_.get(), 0, kHeader, path_);
    char head[kHeader] = {};
    read_exactly(fd_.get(), head, sizeof head, 0, path_);
    struct stat st;
    check_sys(::fstat(fd_.get(), &st), "stat " + path_);
    if (std::string_view(head, kMagic.size()) != kMagic || st.st_size != kFileSize) {
        std::memcpy(head, kMagic.data(), kMagic.size());
        if (RAND_bytes(reinterpret_cast<unsigned char*>(head + kMagic.size()), kKeyBytes) != 1)
            throw SysError("RAND_bytes for " + path_, EIO);
        check_sys(::ftruncate(fd_.get(), 0), "truncate " + path_);
        check_sys(::ftruncate(fd_.get(), kFileSize), "size " + path_);
        write_exactly(fd_.get(), head, sizeof head, 0, path_);
    }
    key_.assign(head + kMagic.size(), kKeyBytes);
}

// Reads the address's record under its lock (zero when the slot holds
// another address's), decays it to now, applies `change`, writes it back.
template <class Change>
Throttle::Record Throttle::update(std::string_view address, Change&& change) {
    const std::string key = throttle_key(address);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()), reinterpret_cast<const unsigned char*>(key.data()),
         key.size(), mac, &mac_len);
    std::uint64_t index = 0, tag = 0;
    std::memcpy(&index, mac, sizeof index);
    std::memcpy(&tag, mac + 8, sizeof tag);
    const off_t at = kHeader + kRecord * static_cast<off_t>(index % kThrottleSlots);
    RangeLock lock(fd_.get(), at, kRecord, path_);
    Record r{};
    read_exactly(fd_.get(), &r, sizeof r, at, path_);
    const std::int64_t now = now_ms();
    if (r.tag != tag || !std::isfinite(r.score) || r.score < 0) r = Record{tag, 0.0, now, 0};
    const double half_life_ms = std::chrono::milliseconds(kThrottleHalfLife).count();
    r.score *= std::exp2(-static_cast<double>(std::max<std::int64_t>(0, now - r.stamp_ms)) / half_life_ms);
    r.stamp_ms = now;
    change(r, now);
    write_exactly(fd_.get(), &r, sizeof r, at, path_);
    return r;
}

std::optional<std::chrono::milliseconds> Throttle::admit(std::string_view address) {
    if (address.empty()) return std::chrono::milliseconds(0);
    bool refused = false;
    std::int64_t wait = 0;
    update(address, [&](Record& r, std::int64_t now) {
        wait = std::max<std::int64_t>(0, r.until_ms - now);
        refused = wait > cap_.count();
        if (refused) return;
        const double delay = r.score < 1 ? 0.0 : static_cast<double>(base_.count()) * std::exp2(r.score - 1);
        r.until_ms = now + wait + static_cast<std::int64_t>(std::min(delay, static_cast<double>(cap_.count())));
    });
    if (refused) return std::nullopt;
    return std::chrono::milliseconds(wait);
}

void Throttle::failed(std::string_view address) {
    if (address.empty()) return;
    update(address, [](Record& r, std::int64_t) { r.score += 1; });
}

double Throttle::score(std::string_view address) {
    return update(address, [](Record&, std::int64_t) {}).score;
}

}  // namespace orou::auth
