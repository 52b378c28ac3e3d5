// DKIM (RFC 6376) through libopendkim: every signature of a message
// verified, its key looked up through verify::Dns.
#pragma once

#include <string>
#include <vector>

#include "smtp/message.hpp"
#include "verify/dns.hpp"
#include "verify/results.hpp"

struct dkim_lib;

namespace orou::verify {

class Dkim {
public:
    // Borrows `dns`.  Throws ConfigError.
    explicit Dkim(Dns& dns);
    ~Dkim();
    Dkim(const Dkim&) = delete;
    Dkim& operator=(const Dkim&) = delete;

    // One verdict per DKIM-Signature field, in order; none when there is
    // none.  A key that could not be looked up gives temperror.  Throws
    // SysError when the message cannot be read back.
    [[nodiscard]] std::vector<DkimVerdict> check(const smtp::MessageSource& message);

private:
    Dns& dns_;
    dkim_lib* lib_ = nullptr;
};

}  // namespace orou::verify
