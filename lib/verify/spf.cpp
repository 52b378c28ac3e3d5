#include "verify/spf.hpp"

extern "C" {
#include <arpa/inet.h>
#include <netinet/in.h>
#include <spf2/spf.h>
#include <spf2/spf_dns.h>
}

#include <cstring>

#include "base/error.hpp"

namespace orou::verify {

namespace {

int herrno_of(DnsStatus s) {
    switch (s) {
    case DnsStatus::Ok: return NETDB_SUCCESS;
    case DnsStatus::NoData: return NO_DATA;
    case DnsStatus::NotFound: return HOST_NOT_FOUND;
    case DnsStatus::TempFail: break;
    }
    return TRY_AGAIN;
}

// One record into the answer as libspf2 keeps it: addresses as they are,
// names as text, TXT strings joined, each NUL-terminated.
bool add_record(SPF_dns_rr_t* rr, int idx, ns_type type, const std::string& rdata) {
    std::string value;
    if (type == ns_t_a || type == ns_t_aaaa) value = rdata;
    else if (type == ns_t_txt) value = join_txt(rdata);
    else if (type == ns_t_mx && rdata.size() > 2)
        value = forward::wire_name(reinterpret_cast<const unsigned char*>(rdata.data()) + 2, rdata.size() - 2);
    else if (type == ns_t_ptr)
        value = forward::wire_name(reinterpret_cast<const unsigned char*>(rdata.data()), rdata.size());
    else return false;
    if ((type == ns_t_a && value.size() != 4) || (type == ns_t_aaaa && value.size() != 16)) return false;
    const std::size_t len = std::max(value.size() + 1, sizeof(SPF_dns_rr_data_t));
    if (SPF_dns_rr_buf_realloc(rr, idx, len) != SPF_E_SUCCESS) return false;
    std::memcpy(rr->rr[idx], value.data(), value.size());
    reinterpret_cast<char*>(rr->rr[idx])[value.size()] = '\0';
    return true;
}

SPF_dns_rr_t* fill(SPF_dns_server_t* server, const char* domain, ns_type type, const Records& answer) {
    SPF_dns_rr_t* rr = SPF_dns_rr_new_init(server, domain, type, 0, herrno_of(answer.status));
    if (!rr) return nullptr;
    int n = 0;
    for (const auto& rdata : answer.data)
        if (add_record(rr, n, type, rdata)) rr->num_rr = ++n;
    if (answer.status == DnsStatus::Ok && n == 0) rr->herrno = NO_DATA;
    return rr;
}

// libspf2's lookup hook: no exception crosses it.
SPF_dns_rr_t* lookup(SPF_dns_server_t* server, const char* domain, ns_type type, int) noexcept {
    try {
        return fill(server, domain, type, static_cast<Dns*>(server->hook)->query(domain, type));
    } catch (...) {
        return SPF_dns_rr_new_init(server, domain, type, 0, TRY_AGAIN);
    }
}

struct RequestFree {
    void operator()(SPF_request_t* r) const noexcept { SPF_request_free(r); }
};
struct ResponseFree {
    void operator()(SPF_response_t* r) const noexcept { SPF_response_free(r); }
};

bool set_client(SPF_request_t* req, std::string_view client) {
    const std::string addr(client);
    if (addr.find(':') != std::string::npos) return SPF_request_set_ipv6_str(req, addr.c_str()) == SPF_E_SUCCESS;
    return SPF_request_set_ipv4_str(req, addr.c_str()) == SPF_E_SUCCESS;
}

// The result when no record could be had: some versions of libspf2 set
// it, others leave it to the error code.
std::string without_record(SPF_errcode_t err, SPF_result_t result) {
    if (result != SPF_RESULT_INVALID) return SPF_strresult(result);
    if (err == SPF_E_DNS_ERROR) return "temperror";
    if (err == SPF_E_NOT_SPF) return "none";
    return "permerror";
}

}  // namespace

Spf::Spf(Dns& dns) : layer_(std::make_unique<SPF_dns_server_t>()) {
    *layer_ = SPF_dns_server_t{};
    layer_->lookup = lookup;
    layer_->name = "orouboros";
    layer_->hook = &dns;
    server_ = SPF_server_new_dns(layer_.get(), 0);
    if (!server_) throw ConfigError("spf: cannot create the libspf2 server");
}

Spf::~Spf() { SPF_server_free(server_); }

std::string Spf::check(std::string_view client, std::string_view helo, std::string_view sender) {
    std::unique_ptr<SPF_request_t, RequestFree> req(SPF_request_new(server_));
    if (!req || !set_client(req.get(), client)) return "permerror";
    if (!helo.empty() && SPF_request_set_helo_dom(req.get(), std::string(helo).c_str()) != SPF_E_SUCCESS)
        return "permerror";
    if (!sender.empty() && SPF_request_set_env_from(req.get(), std::string(sender).c_str()) != 0) return "permerror";
    if (!req->env_from_dp) return "none";
    req->use_helo = sender.empty() ? 1 : 0;
    req->cur_dom = sender.empty() ? req->helo_dom : req->env_from_dp;
    std::unique_ptr<SPF_response_t, ResponseFree> resp(SPF_response_new(req.get()));
    if (!resp) return "temperror";
    SPF_record_t* record = nullptr;
    const SPF_errcode_t err = SPF_server_get_record(server_, req.get(), resp.get(), &record);
    if (err != SPF_E_SUCCESS || !record) return without_record(err, SPF_response_result(resp.get()));
    resp->spf_record_exp = record;  // as SPF_request_query_mailfrom does
    SPF_record_interpret(record, req.get(), resp.get(), 0);
    SPF_record_free(record);
    const SPF_result_t result = SPF_response_result(resp.get());
    return result == SPF_RESULT_INVALID ? "permerror" : SPF_strresult(result);
}

}  // namespace orou::verify
