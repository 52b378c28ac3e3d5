// A message spooled to an unlinked temporary file as it is read, so that a
// stage that must read it more than once (one mailbox per recipient) holds
// no more than a buffer of it in memory.  The file has no name: it is gone
// with the Spool, and with the process, whatever happens.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/fd.hpp"
#include "smtp/message.hpp"

namespace orou::smtp {

class Spool final : public DataSink, public MessageSource {
public:
    // An empty spool in directory `dir`.  Throws SysError when no file can
    // be made there.
    explicit Spool(const std::string& dir);

    // DataSink: a line goes to the file (CRLF line end).  A failed write is
    // kept (error()) and later lines are dropped, so that reading goes on.
    void line(std::string_view text) override;
    void abandon() override;

    // Writes out what is buffered; false (error() set) when it could not.
    bool finish();
    // The errno of the first failed write, if any.
    std::optional<int> error() const { return error_; }

    // MessageSource, after finish().
    void lines(const std::function<void(std::string_view)>& each) const override;
    std::size_t size() const override { return size_; }
    bool eight_bit() const override { return eight_bit_; }

private:
    void flush();

    Fd fd_;
    std::string dir_;
    std::string buf_;
    std::size_t size_ = 0;
    bool eight_bit_ = false;
    std::optional<int> error_;
};

// A spool in $TMPDIR, or /tmp.  Throws SysError.
std::unique_ptr<Spool> temp_spool();

}  // namespace orou::smtp
