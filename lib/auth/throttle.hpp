// Slowing down password guessing from one client address across
// connections (orouboros-authcheck --state-dir).
//
// Each address has a score: its recent failures, halving every
// kThrottleHalfLife.  A check from an address with score s >= 1 reserves
// base * 2^(s-1) seconds (at most `cap`) before the next check from that
// address may run; a check waits for the time reserved before it.  So an
// address gets one guess per delay however many connections it opens in
// parallel, the delay doubles with each recent failure, and it fades when
// the guessing stops.  A check that would wait longer than `cap` is not
// made at all (a temporary failure: the client hears 454 and may retry).
//
// IPv4 addresses count one by one; IPv6 addresses by their /64 (one
// subscriber's network), IPv4-mapped ones as IPv4; anything else (e.g.
// "local") by its text.  The state is one file of fixed size,
// DIR/throttle: a random key, then kThrottleSlots records of 32 bytes.  An
// address's record sits in the slot a keyed hash (HMAC-SHA256) of it picks,
// with a tag of the same hash, so the file never grows and nobody can
// choose an address that lands on someone else's record.  Each record is
// read, changed and written under an fcntl lock on its own bytes.  The
// file is soft state: deleting it forgets the scores.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/fd.hpp"

namespace orou::auth {

inline constexpr std::size_t kThrottleSlots = 4096;
inline constexpr std::chrono::minutes kThrottleHalfLife{10};

// The key an address is counted under: "v4:192.0.2.7", "v6:2001:db8:1:2::/64",
// the text itself for anything else (at most 255 bytes); "" for "".
std::string throttle_key(std::string_view address);

class Throttle {
public:
    using Clock = std::chrono::system_clock;  // the state outlives processes

    // Opens (creating, mode 0600) DIR/throttle.  Throws SysError.
    Throttle(const std::string& state_dir, std::chrono::milliseconds base, std::chrono::milliseconds cap);

    // Reserves this check's turn; returns how long to wait before making
    // it, or nullopt when that would be longer than the cap (do not check).
    // An empty address is never throttled.
    [[nodiscard]] std::optional<std::chrono::milliseconds> admit(std::string_view address);
    // Counts one failure against the address.
    void failed(std::string_view address);
    // The address's current score (decayed to now); for tests and logs.
    double score(std::string_view address);

private:
    struct Record {  // 32 bytes in the file
        std::uint64_t tag;
        double score;
        std::int64_t stamp_ms;
        std::int64_t until_ms;
    };
    template <class Change>
    Record update(std::string_view address, Change&& change);
    void init_file();

    Fd fd_;
    std::string path_;
    std::string key_;
    std::chrono::milliseconds base_, cap_;
};

}  // namespace orou::auth
