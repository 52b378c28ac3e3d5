#include "verify/dmarc.hpp"

#include <opendmarc/dmarc.h>

#include <unistd.h>
#include <cstring>
#include <memory>
#include <optional>

#include "base/error.hpp"

extern "C" int opendmarc_get_tld(u_char* domain, u_char* tld, size_t tld_len);

namespace orou::verify {

namespace {

struct PolicyFree {
    void operator()(DMARC_POLICY_T* p) const noexcept { opendmarc_policy_connect_shutdown(p); }
};
using Policy = std::unique_ptr<DMARC_POLICY_T, PolicyFree>;

u_char* uc(std::string& s) { return reinterpret_cast<u_char*>(s.data()); }

int spf_outcome(const std::string& result) {
    if (result == "pass") return DMARC_POLICY_SPF_OUTCOME_PASS;
    if (result == "none") return DMARC_POLICY_SPF_OUTCOME_NONE;
    if (result == "temperror") return DMARC_POLICY_SPF_OUTCOME_TMPFAIL;
    return DMARC_POLICY_SPF_OUTCOME_FAIL;
}

int dkim_outcome(const std::string& result) {
    if (result == "pass") return DMARC_POLICY_DKIM_OUTCOME_PASS;
    if (result == "temperror") return DMARC_POLICY_DKIM_OUTCOME_TMPFAIL;
    return DMARC_POLICY_DKIM_OUTCOME_FAIL;
}

std::string policy_name(int p) {
    switch (p) {
    case DMARC_RECORD_P_NONE: return "none";
    case DMARC_RECORD_P_QUARANTINE: return "quarantine";
    case DMARC_RECORD_P_REJECT: return "reject";
    default: return "";
    }
}

struct Found {
    DnsStatus status = DnsStatus::NotFound;
    std::string record;
};

// The one DMARC record at _dmarc.<domain>.
Found record_at(Dns& dns, const std::string& domain) {
    const Records r = dns.txt("_dmarc." + domain);
    if (r.status == DnsStatus::TempFail) return {DnsStatus::TempFail, ""};
    Found found;
    int n = 0;
    for (const auto& txt : r.data)
        if (txt.rfind("v=DMARC1", 0) == 0 && (txt.size() == 8 || txt[8] == ';' || txt[8] == ' ')) {
            found = {DnsStatus::Ok, txt};
            ++n;
        }
    return n == 1 ? found : Found{};
}

std::string organizational_domain(std::string domain) {
    u_char buf[256] = {};
    if (opendmarc_get_tld(uc(domain), buf, sizeof buf) != 0) return domain;
    return reinterpret_cast<char*>(buf);
}

void store_results(DMARC_POLICY_T* p, const SpfVerdict& spf, const std::vector<DkimVerdict>& dkim) {
    for (const auto& d : dkim) {
        std::string domain = d.domain, selector = d.selector, human = d.result;
        opendmarc_policy_store_dkim(p, uc(domain), uc(selector), dkim_outcome(d.result), uc(human));
    }
    std::string identity = spf.identity, human = spf.result;
    if (const auto at = identity.rfind('@'); at != std::string::npos) identity.erase(0, at + 1);
    const int origin = spf.property == "helo" ? DMARC_POLICY_SPF_ORIGIN_HELO : DMARC_POLICY_SPF_ORIGIN_MAILFROM;
    opendmarc_policy_store_spf(p, uc(identity), spf_outcome(spf.result), origin, uc(human));
}

void enforce(DMARC_POLICY_T* p, DmarcVerdict& v) {
    switch (opendmarc_get_policy_to_enforce(p)) {
    case DMARC_POLICY_PASS: v.result = "pass", v.disposition = "none"; break;
    case DMARC_POLICY_REJECT: v.result = "fail", v.disposition = "reject"; break;
    case DMARC_POLICY_QUARANTINE: v.result = "fail", v.disposition = "quarantine"; break;
    case DMARC_POLICY_NONE: v.result = "fail", v.disposition = "none"; break;
    case DMARC_POLICY_ABSENT: v.result = "none"; return;
    default: v.result = "permerror"; return;
    }
    int policy = 0, dkim_alignment = 0, spf_alignment = 0;
    opendmarc_policy_fetch_p(p, &policy);
    v.policy = policy_name(policy);
    opendmarc_policy_fetch_alignment(p, &dkim_alignment, &spf_alignment);
    v.dkim_aligned = dkim_alignment == DMARC_POLICY_DKIM_ALIGNMENT_PASS;
    v.spf_aligned = spf_alignment == DMARC_POLICY_SPF_ALIGNMENT_PASS;
}

}  // namespace

DmarcLibrary::DmarcLibrary(const std::string& public_suffix_list) {
    OPENDMARC_LIB_T lib{};
    if (!public_suffix_list.empty() && ::access(public_suffix_list.c_str(), R_OK) == 0) {
        lib.tld_type = OPENDMARC_TLD_TYPE_MOZILLA;
        std::strncpy(reinterpret_cast<char*>(lib.tld_source_file), public_suffix_list.c_str(),
                     sizeof lib.tld_source_file - 1);
    }
    if (opendmarc_policy_library_init(&lib) != DMARC_PARSE_OKAY)
        throw ConfigError("dmarc: cannot initialise libopendmarc");
}

DmarcLibrary::~DmarcLibrary() {
    OPENDMARC_LIB_T lib{};
    opendmarc_policy_library_shutdown(&lib);
}

DmarcVerdict Dmarc::check(std::string_view client, std::string_view from_domain, const SpfVerdict& spf,
                          const std::vector<DkimVerdict>& dkim) {
    DmarcVerdict v;
    v.from_domain = from_domain;
    if (from_domain.empty()) return v.result = "permerror", v;
    std::string from(from_domain), org = organizational_domain(from), addr(client.empty() ? "0.0.0.0" : client);
    Found found = record_at(dns_, from);
    const bool at_org = found.status == DnsStatus::NotFound && org != from;
    if (at_org) found = record_at(dns_, org);
    if (found.status == DnsStatus::TempFail) return v.result = "temperror", v;
    if (found.status != DnsStatus::Ok) return v;
    const int ip_type = addr.find(':') != std::string::npos ? DMARC_POLICY_IP_TYPE_IPV6 : DMARC_POLICY_IP_TYPE_IPV4;
    Policy p(opendmarc_policy_connect_init(uc(addr), ip_type));
    if (!p) return v.result = "temperror", v;
    opendmarc_policy_store_from_domain(p.get(), uc(from));
    store_results(p.get(), spf, dkim);
    if (opendmarc_policy_store_dmarc(p.get(), uc(found.record), uc(from), at_org ? uc(org) : nullptr) !=
        DMARC_PARSE_OKAY)
        return v.result = "permerror", v;
    enforce(p.get(), v);
    return v;
}

}  // namespace orou::verify
