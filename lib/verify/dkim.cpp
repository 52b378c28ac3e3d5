#include "verify/dkim.hpp"

#include <algorithm>
#include <cstring>
#include <memory>
#include <set>

#include "base/error.hpp"
#include "dkim/opendkim.hpp"
#include "verify/headers.hpp"

namespace orou::verify {

namespace {

constexpr std::size_t kBodyChunk = 64u << 10;
constexpr std::size_t kBPrefix = 8;  // characters of b= in header.b, as OpenDKIM gives

// What the key lookup of one message saw: the selectors whose key could
// not be had for now.
struct LookupContext {
    Dns* dns = nullptr;
    std::set<std::string> temporary;
};

std::string key_name(DKIM_SIGINFO* sig) {
    const auto* s = reinterpret_cast<const char*>(dkim_sig_getselector(sig));
    const auto* d = reinterpret_cast<const char*>(dkim_sig_getdomain(sig));
    return std::string(s ? s : "") + "._domainkey." + (d ? d : "");
}

DKIM_CBSTAT lookup_key(DKIM* dkim, DKIM_SIGINFO* sig, u_char* buf, size_t buflen) noexcept {
    auto* ctx = static_cast<LookupContext*>(dkim_get_user_context(dkim));
    try {
        const std::string name = key_name(sig);
        const Records r = ctx->dns->txt(name);
        if (r.status == DnsStatus::TempFail) {
            ctx->temporary.insert(name);
            return DKIM_CBSTAT_TRYAGAIN;
        }
        if (r.status != DnsStatus::Ok || r.data.size() != 1 || r.data[0].size() >= buflen) return DKIM_CBSTAT_NOTFOUND;
        std::memcpy(buf, r.data[0].c_str(), r.data[0].size() + 1);
        return DKIM_CBSTAT_CONTINUE;
    } catch (...) {
        return DKIM_CBSTAT_ERROR;
    }
}

struct DkimFree {
    void operator()(DKIM* d) const noexcept { dkim_free(d); }
};

std::string result_of(DKIM_SIGINFO* sig, const LookupContext& ctx) {
    if (DKIM_SIG_CHECK(sig)) return "pass";
    const int error = dkim_sig_geterror(sig);
    if (error == DKIM_SIGERROR_KEYFAIL || ctx.temporary.count(key_name(sig)) != 0) return "temperror";
    if (error == DKIM_SIGERROR_BADSIG ||
        (error == DKIM_SIGERROR_OK && (dkim_sig_getflags(sig) & DKIM_SIGFLAG_PROCESSED)))
        return "fail";
    return "permerror";
}

std::string reason_of(DKIM_SIGINFO* sig, const std::string& result, const LookupContext& ctx) {
    if (result == "pass") return "";
    if (ctx.temporary.count(key_name(sig)) != 0) return "key lookup failed";
    if (dkim_sig_getbh(sig) == DKIM_SIGBH_MISMATCH) return "body hash mismatch";
    const char* text = dkim_sig_geterrorstr(dkim_sig_geterror(sig));
    return text ? text : "verification failed";
}

DkimVerdict verdict_of(DKIM* dkim, DKIM_SIGINFO* sig, const LookupContext& ctx) {
    DkimVerdict v;
    v.result = result_of(sig, ctx);
    v.reason = reason_of(sig, v.result, ctx);
    const auto* d = reinterpret_cast<const char*>(dkim_sig_getdomain(sig));
    const auto* s = reinterpret_cast<const char*>(dkim_sig_getselector(sig));
    v.domain = d ? d : "";
    v.selector = s ? s : "";
    char b[kBPrefix + 1] = {};
    std::size_t len = sizeof b;
    if (dkim_get_sigsubstring(dkim, sig, b, &len) == DKIM_STAT_OK) v.b.assign(b, std::min(len, kBPrefix));
    return v;
}

// Hands the message to libopendkim: header fields, end of header, body
// in chunks with CRLF line ends.
void feed(DKIM* dkim, const smtp::MessageSource& message) {
    std::string chunk;
    bool header_done = false;
    auto end_header = [&] {
        if (!header_done) dkim_eoh(dkim);
        header_done = true;
    };
    for_each_field(
        message,
        [&](std::string_view field) {
            if (field.empty()) return end_header();
            std::string f(field);
            dkim_header(dkim, reinterpret_cast<u_char*>(f.data()), f.size());
        },
        [&](std::string_view line) {
            chunk.append(line).append("\r\n");
            if (chunk.size() < kBodyChunk) return;
            dkim_body(dkim, reinterpret_cast<u_char*>(chunk.data()), chunk.size());
            chunk.clear();
        });
    end_header();
    if (!chunk.empty()) dkim_body(dkim, reinterpret_cast<u_char*>(chunk.data()), chunk.size());
}

}  // namespace

Dkim::Dkim(Dns& dns) : dns_(dns), lib_(dkim_init(nullptr, nullptr)) {
    if (!lib_) throw ConfigError("dkim: cannot initialise libopendkim");
    dkim_set_key_lookup(lib_, lookup_key);
}

Dkim::~Dkim() { dkim_close(lib_); }

std::vector<DkimVerdict> Dkim::check(const smtp::MessageSource& message) {
    LookupContext ctx{&dns_, {}};
    DKIM_STAT status = DKIM_STAT_OK;
    std::unique_ptr<DKIM, DkimFree> dkim(
        dkim_verify(lib_, reinterpret_cast<const u_char*>("verify"), nullptr, &status));
    if (!dkim) throw ConfigError("dkim: cannot start a verification");
    dkim_set_user_context(dkim.get(), &ctx);
    feed(dkim.get(), message);
    dkim_eom(dkim.get(), nullptr);
    DKIM_SIGINFO** sigs = nullptr;
    int nsigs = 0;
    std::vector<DkimVerdict> out;
    if (dkim_getsiglist(dkim.get(), &sigs, &nsigs) != DKIM_STAT_OK) return out;
    for (int i = 0; i < nsigs; ++i) out.push_back(verdict_of(dkim.get(), sigs[i], ctx));
    return out;
}

}  // namespace orou::verify
