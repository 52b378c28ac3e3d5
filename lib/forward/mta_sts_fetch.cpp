#include "forward/mta_sts_fetch.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <memory>
#include <sstream>

#include "auth/atomic_file.hpp"
#include "base/error.hpp"

namespace orou::forward {

namespace {

struct CurlFree {
    void operator()(CURL* c) const noexcept { curl_easy_cleanup(c); }
};
struct SlistFree {
    void operator()(curl_slist* l) const noexcept { curl_slist_free_all(l); }
};
using Curl = std::unique_ptr<CURL, CurlFree>;
using Slist = std::unique_ptr<curl_slist, SlistFree>;

struct Body {
    std::string text;
    bool too_large = false;
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* arg) noexcept {
    auto* body = static_cast<Body*>(arg);
    const std::size_t n = size * count;
    if (body->text.size() + n > kMaxPolicySize) {
        body->too_large = true;
        return 0;  // curl stops the transfer
    }
    body->text.append(data, n);
    return n;
}

// A domain that may name a file and a host: letters, digits, '-', '.'.
bool plain_domain(std::string_view domain) {
    return !domain.empty() && domain.size() <= 253 && domain.front() != '.' &&
           std::all_of(domain.begin(), domain.end(),
                       [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.'; });
}

// "mta-sts.DOMAIN:PORT:ADDR,ADDR" for CURLOPT_RESOLVE.
std::string resolve_entry(const std::string& host, unsigned port, const std::vector<std::string>& addresses) {
    std::string entry = host + ":" + std::to_string(port) + ":";
    for (std::size_t i = 0; i < addresses.size(); ++i) {
        if (i) entry += ',';
        entry += addresses[i].find(':') == std::string::npos ? addresses[i] : "[" + addresses[i] + "]";
    }
    return entry;
}

long millis_left(io::Deadline deadline, std::chrono::seconds cap) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - io::Clock::now());
    return std::max<long>(1, std::min<long>(left.count(), std::chrono::milliseconds(cap).count()));
}

std::string transfer(CURL* curl, const std::string& url, Body& body, std::string& error) {
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);  // section 3.3: no redirects
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
    const CURLcode rc = curl_easy_perform(curl);
    if (body.too_large) error = "the policy is larger than 64 KiB";
    else if (rc != CURLE_OK) error = std::string("fetching ") + url + " failed: " + curl_easy_strerror(rc);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    if (error.empty() && status != 200) error = url + " answered HTTP " + std::to_string(status);
    const char* type = nullptr;
    curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &type);
    return type ? type : "";
}

struct Cached {
    std::string id;
    std::time_t expires = 0;
    StsPolicy policy;
};

std::string cache_path(const StsConfig& config, std::string_view domain) {
    return config.cache_dir + "/" + std::string(domain);
}

// "id ID\nexpires EPOCH\n" then the policy text.
std::optional<Cached> load_cached(const StsConfig& config, std::string_view domain, std::time_t now) {
    if (config.cache_dir.empty()) return std::nullopt;
    std::string text;
    try {
        text = auth::read_file(cache_path(config, domain), kMaxPolicySize + 256);
    } catch (const SysError&) {
        return std::nullopt;
    }
    std::istringstream in(text);
    Cached c;
    std::string id_key, expires_key;
    if (!(in >> id_key >> c.id >> expires_key >> c.expires) || id_key != "id" || expires_key != "expires")
        return std::nullopt;
    in.ignore(1);
    auto policy = parse_sts_policy(text.substr(static_cast<std::size_t>(std::max<std::streamoff>(0, in.tellg()))));
    if (!policy || c.expires <= now) return std::nullopt;
    c.policy = *policy;
    return c;
}

// "" when stored (or there is no cache), else why not: the policy in hand
// holds for this delivery either way.
std::string store_cached(const StsConfig& config, std::string_view domain, const std::string& id, std::time_t expires,
                         const std::string& text) {
    if (config.cache_dir.empty()) return "";
    try {
        auth::write_file_atomically(cache_path(config, domain),
                                    "id " + id + "\nexpires " + std::to_string(expires) + "\n" + text, 0600);
    } catch (const SysError& e) {
        return std::string("cannot cache the policy: ") + e.what();
    }
    return "";
}

}  // namespace

std::optional<std::string> fetch_sts_policy(Resolver& resolver, const StsConfig& config, std::string_view domain,
                                            io::Deadline deadline, std::string& error) {
    const std::string host = "mta-sts." + std::string(domain);
    AddressAnswer a = resolver.addresses(host, deadline);
    if (a.status != DnsStatus::Ok) {
        error = "no address for " + host + ": " + a.error;
        return std::nullopt;
    }
    Curl curl(curl_easy_init());
    if (!curl) throw SysError("curl_easy_init", ENOMEM);
    Slist resolve(curl_slist_append(nullptr, resolve_entry(host, config.port, a.addresses).c_str()));
    curl_easy_setopt(curl.get(), CURLOPT_RESOLVE, resolve.get());
    if (!config.ca_file.empty()) curl_easy_setopt(curl.get(), CURLOPT_CAINFO, config.ca_file.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, millis_left(deadline, config.timeout));
    curl_easy_setopt(curl.get(), CURLOPT_CONNECTTIMEOUT_MS, millis_left(deadline, config.timeout));
    const std::string url = "https://" + host + ":" + std::to_string(config.port) + "/.well-known/mta-sts.txt";
    Body body;
    const std::string type = transfer(curl.get(), url, body, error);
    if (!error.empty()) return std::nullopt;
    if (type.rfind("text/plain", 0) != 0) {
        error = url + " is not text/plain";
        return std::nullopt;
    }
    return body.text;
}

StsLookup find_sts_policy(Resolver& resolver, const StsConfig& config, std::string_view domain, io::Deadline deadline,
                          std::time_t now) {
    if (!plain_domain(domain)) return {std::nullopt, "not a domain name"};
    std::optional<Cached> cached = load_cached(config, domain, now);
    TxtAnswer txt = resolver.txt("_mta-sts." + std::string(domain), deadline);
    const std::optional<std::string> id = txt.status == DnsStatus::Ok ? sts_record_id(txt.texts) : std::nullopt;
    if (!id) {  // section 5.1: a cached policy outlives its TXT record
        if (cached) return {cached->policy, ""};
        if (txt.status == DnsStatus::Ok) return {std::nullopt, "no valid STSv1 record"};
        return {std::nullopt, txt.status == DnsStatus::TempFail ? txt.error : ""};  // none published: no policy
    }
    if (cached && cached->id == *id) return {cached->policy, ""};
    std::string error;
    std::optional<std::string> text = fetch_sts_policy(resolver, config, domain, deadline, error);
    std::optional<StsPolicy> policy = text ? parse_sts_policy(*text) : std::nullopt;
    if (text && !policy) error = "the policy of " + std::string(domain) + " is malformed";
    if (!policy) return {cached ? std::optional<StsPolicy>(cached->policy) : std::nullopt, error};
    return {policy, store_cached(config, domain, *id, now + policy->max_age, *text)};
}

}  // namespace orou::forward
