#include "filter/filter.hpp"

namespace orou::filter {

namespace {

// Leaves out the header fields a predicate names, continuation lines and
// all; the body passes untouched.
class HeaderDrop final : public smtp::DataSink {
public:
    HeaderDrop(const std::function<bool(std::string_view)>& drop, smtp::DataSink& out) : drop_(drop), out_(out) {}
    void line(std::string_view text) override {
        if (in_header_) decide(text);
        if (!dropping_) out_.line(text);
    }

private:
    void decide(std::string_view text) {
        if (text.empty()) {
            in_header_ = dropping_ = false;
            return;
        }
        if (text[0] == ' ' || text[0] == '\t') return;  // continues the field before
        const auto colon = text.find(':');
        dropping_ = colon != std::string_view::npos && drop_(text.substr(0, colon));
    }

    const std::function<bool(std::string_view)>& drop_;
    smtp::DataSink& out_;
    bool in_header_ = true;
    bool dropping_ = false;
};

}  // namespace

void pass_on(const smtp::MessageSource& message, const Verdict& verdict, smtp::DataSink& out) {
    smtp::for_each_line(verdict.prepend, [&](std::string_view line) { out.line(line); });
    if (!verdict.drop) {
        message.lines([&](std::string_view line) { out.line(line); });
        return;
    }
    HeaderDrop drop(verdict.drop, out);
    message.lines([&](std::string_view line) { drop.line(line); });
}

}  // namespace orou::filter
