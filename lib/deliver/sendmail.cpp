#include "deliver/sendmail.hpp"

#include <sysexits.h>

#include <array>

#include "base/error.hpp"

namespace orou::deliver {

namespace {

// "<a@b>" -> "a@b"; "<>" -> "".
std::string without_brackets(std::string_view address) {
    if (address.size() >= 2 && address.front() == '<' && address.back() == '>')
        address = address.substr(1, address.size() - 2);
    return std::string(address);
}

std::string checked_sender(std::string_view given) {
    std::string sender = without_brackets(given);
    for (unsigned char c : sender)
        if (c <= ' ' || c == 0x7f) throw ExitError(EX_USAGE, "bad sender address: " + log::escape(given));
    return sender;
}

// Refuses the whole message when any recipient is refused, so that the
// status is true for every recipient.
std::vector<std::string> checked_rcpts(const Store& store, log::Logger& log, std::string_view msgid,
                                       std::string_view sender, const std::vector<std::string>& given_rcpts) {
    std::vector<std::string> rcpts;
    for (const auto& given : given_rcpts) {
        std::string rcpt = without_brackets(given);
        LocalPart local = store.check(rcpt);
        if (!local.ok()) {
            log_delivery(log, msgid, sender, rcpt, {Outcome::Refused, "", local.refusal, ""});
            throw ExitError(EX_NOUSER, "refused recipient " + log::escape(rcpt) + ": " + local.refusal);
        }
        rcpts.push_back(std::move(rcpt));
    }
    return rcpts;
}

int status_of(Outcome outcome) {
    switch (outcome) {
    case Outcome::Delivered: return EX_OK;
    case Outcome::Refused: return EX_NOUSER;
    case Outcome::Temporary:
    case Outcome::Unsafe:
    case Outcome::DiskFull: break;
    }
    return EX_TEMPFAIL;
}

}  // namespace

std::string read_message(io::Stream& in, const io::Timer& timer, std::size_t max_message) {
    std::string message;
    std::array<char, 65536> buf;
    for (;;) {
        const io::ReadResult r = in.read(buf, timer.next());
        if (r.status == io::ReadStatus::Eof) return message;
        if (r.status == io::ReadStatus::Timeout) throw ExitError(EX_TEMPFAIL, "timed out reading the message");
        if (message.size() + r.n > max_message)
            throw ExitError(EX_DATAERR, "message larger than " + std::to_string(max_message) + " bytes");
        message.append(buf.data(), r.n);
    }
}

int deliver_from_stream(Store& store, log::Logger& log, const SendmailRequest& request, io::Stream& in,
                        const io::Timer& timer) {
    const std::string msgid = log::new_id();
    const std::string sender = checked_sender(request.sender);
    const std::vector<std::string> rcpts = checked_rcpts(store, log, msgid, sender, request.rcpts);
    const std::string message = read_message(in, timer, request.max_message);
    int status = EX_OK;
    std::string failure;
    for (const auto& rcpt : rcpts) {
        const DeliveryResult result = store.deliver(sender, rcpt, message);
        log_delivery(log, msgid, sender, rcpt, result);
        if (result.outcome == Outcome::Delivered || status == EX_TEMPFAIL) continue;
        status = status_of(result.outcome);
        failure = "delivery to " + log::escape(rcpt) + " failed: " + result.error;
    }
    if (status != EX_OK) throw ExitError(status, failure);
    return EX_OK;
}

}  // namespace orou::deliver
