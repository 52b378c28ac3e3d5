#include "smtp/mail_params.hpp"

#include <cctype>
#include <string_view>

#include "smtp/xforward.hpp"

namespace orou::smtp {

namespace {

std::string upper(std::string s) {
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

bool all_digits(const std::string& s, std::size_t max_len) {
    return !s.empty() && s.size() <= max_len && s.find_first_not_of("0123456789") == std::string::npos;
}

bool hex_id(std::string_view s) {
    return s.size() == 8 && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

// "id.id.id" -> the ids; false when one is malformed.
bool split_loop(const std::string& value, std::vector<std::string>& ids) {
    std::string_view rest = value;
    while (true) {
        const auto dot = rest.find('.');
        if (!hex_id(rest.substr(0, dot))) return false;
        ids.emplace_back(rest.substr(0, dot));
        if (dot == std::string_view::npos) return true;
        rest.remove_prefix(dot + 1);
    }
}

MailParams failed(MailParams params, MailParamError error) {
    params.error = error;
    return params;
}

}  // namespace

std::string MailParams::body_param() const {
    if (!body_given) return "";
    return eight_bit ? " BODY=8BITMIME" : " BODY=7BIT";
}

std::string MailParams::loop_trail() const {
    std::string out;
    for (const auto& id : loop) out += (out.empty() ? "" : ".") + id;
    return out;
}

std::string MailParams::loop_param(const std::string& own) const {
    std::string trail = loop_trail();
    if (!own.empty()) trail += (trail.empty() ? "" : ".") + own;
    return trail.empty() ? "" : " XLOOP=" + trail;
}

MailParams parse_mail_params(const std::vector<std::pair<std::string, std::string>>& params, std::size_t max_message) {
    MailParams out;
    for (const auto& [key, value] : params) {
        if (key == "SIZE") {
            if (!all_digits(value, 18)) return failed(out, MailParamError::Syntax);
            out.size = std::stoull(value);
            if (out.size > max_message) return failed(out, MailParamError::TooBig);
        } else if (key == "BODY") {
            const std::string body = upper(value);
            if (body != "7BIT" && body != "8BITMIME") return failed(out, MailParamError::Syntax);
            out.body_given = true;
            out.eight_bit = body == "8BITMIME";
        } else if (key == "XLOOP") {
            if (!split_loop(value, out.loop)) return failed(out, MailParamError::Syntax);
        } else if (key == "AUTH") {
            out.auth = value == "<>" ? "" : xtext_decode(value).value_or("");
        } else {
            return failed(out, MailParamError::Unknown);
        }
    }
    return out;
}

}  // namespace orou::smtp
