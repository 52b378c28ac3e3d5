// A message in motion: what the DATA reader hands its lines to (a sink),
// and a stored message read back line by line (a source).  No process of
// the chain holds a whole message: a sink passes each line on (to the next
// hop) or into a spool file.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace orou::smtp {

// Takes a message line by line as it is read.
class DataSink {
public:
    virtual ~DataSink() = default;
    // One line of the message, dot-stuffing undone, without its line end.
    virtual void line(std::string_view text) = 0;
    // The message turned out bad (or the client went away): whatever was
    // passed on is dropped, and no more lines come.
    virtual void abandon() {}
};

// Takes lines and drops them: where a message goes that nobody will take.
class NullSink final : public DataSink {
public:
    void line(std::string_view) override {}
};

// A message kept for reading back, as many times as needed.
class MessageSource {
public:
    virtual ~MessageSource() = default;
    // Calls `each` for every line, in order, without its line end.
    // Throws SysError when the message cannot be read back.
    virtual void lines(const std::function<void(std::string_view)>& each) const = 0;
    // Its size with CRLF line ends.
    virtual std::size_t size() const = 0;
    // Whether it has a byte over 127.
    virtual bool eight_bit() const = 0;
};

// A message held in a string (CRLF or LF line ends): for tests, and for
// text that is small by nature.
class StringMessage final : public MessageSource {
public:
    explicit StringMessage(std::string_view text) : text_(text) {}
    void lines(const std::function<void(std::string_view)>& each) const override;
    std::size_t size() const override;
    bool eight_bit() const override;

private:
    std::string_view text_;
};

// Collects the lines into a string with CRLF line ends (tests, fuzzers).
class StringSink final : public DataSink {
public:
    void line(std::string_view text) override;
    void abandon() override;
    std::string text;
    bool abandoned = false;
};

// Splits `text` into lines at LF (a CR before it dropped); a last line
// without LF counts.  Calls `each` for every line.
void for_each_line(std::string_view text, const std::function<void(std::string_view)>& each);

}  // namespace orou::smtp
