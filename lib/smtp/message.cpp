#include "smtp/message.hpp"

#include <algorithm>

namespace orou::smtp {

void for_each_line(std::string_view text, const std::function<void(std::string_view)>& each) {
    while (!text.empty()) {
        const auto lf = text.find('\n');
        std::string_view line = text.substr(0, lf);
        text.remove_prefix(lf == std::string_view::npos ? text.size() : lf + 1);
        if (lf != std::string_view::npos && line.ends_with('\r')) line.remove_suffix(1);
        each(line);
    }
}

void StringMessage::lines(const std::function<void(std::string_view)>& each) const { for_each_line(text_, each); }

std::size_t StringMessage::size() const {
    std::size_t n = 0;
    for_each_line(text_, [&](std::string_view line) { n += line.size() + 2; });
    return n;
}

bool StringMessage::eight_bit() const {
    return std::any_of(text_.begin(), text_.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

void StringSink::line(std::string_view line) {
    text.append(line);
    text.append("\r\n");
}

void StringSink::abandon() {
    text.clear();
    abandoned = true;
}

}  // namespace orou::smtp
