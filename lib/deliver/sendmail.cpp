#include "deliver/sendmail.hpp"

#include <sysexits.h>

#include <array>
#include <cstring>

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

std::unique_ptr<smtp::Spool> spool_or_fail(Store& store) {
    try {
        return store.new_spool();
    } catch (const SysError& e) {
        throw ExitError(EX_TEMPFAIL, e.what());
    }
}

}  // namespace

void read_message(io::Stream& in, const io::Timer& timer, std::size_t max_message, smtp::DataSink& sink) {
    constexpr std::size_t kMaxLine = 1u << 20;
    std::array<char, 65536> buf;
    std::string line;
    std::size_t total = 0;
    bool after_cr = false;
    for (;;) {
        const io::ReadResult r = in.read(buf, timer.next());
        if (r.status == io::ReadStatus::Eof) break;
        if (r.status == io::ReadStatus::Timeout) throw ExitError(EX_TEMPFAIL, "timed out reading the message");
        if ((total += r.n) > max_message)
            throw ExitError(EX_DATAERR, "message larger than " + std::to_string(max_message) + " bytes");
        for (char c : std::string_view(buf.data(), r.n)) {
            const bool lf_after_cr = c == '\n' && after_cr;
            after_cr = c == '\r';
            if (lf_after_cr) continue;
            if (c != '\r' && c != '\n') {
                line += c;
                if (line.size() > kMaxLine) throw ExitError(EX_DATAERR, "message has a line over 1 MiB");
                continue;
            }
            sink.line(line);
            line.clear();
        }
    }
    if (!line.empty()) sink.line(line);
}

int deliver_from_stream(Store& store, log::Logger& log, const SendmailRequest& request, io::Stream& in,
                        const io::Timer& timer) {
    const std::string msgid = log::new_id();
    const std::string sender = checked_sender(request.sender);
    const std::vector<std::string> rcpts = checked_rcpts(store, log, msgid, sender, request.rcpts);
    const std::unique_ptr<smtp::Spool> message = spool_or_fail(store);
    read_message(in, timer, request.max_message, *message);
    if (!message->finish())
        throw ExitError(EX_TEMPFAIL, std::string("cannot write the spool file: ") + std::strerror(*message->error()));
    int status = EX_OK;
    std::string failure;
    for (const auto& rcpt : rcpts) {
        const DeliveryResult result = store.deliver(sender, rcpt, *message);
        log_delivery(log, msgid, sender, rcpt, result);
        if (result.outcome == Outcome::Delivered || status == EX_TEMPFAIL) continue;
        status = status_of(result.outcome);
        failure = "delivery to " + log::escape(rcpt) + " failed: " + result.error;
    }
    if (status != EX_OK) throw ExitError(status, failure);
    return EX_OK;
}

}  // namespace orou::deliver
