#include "forward/upstream.hpp"

namespace orou::forward {

smtp::Reply send_message(Upstream& upstream, const smtp::MessageSource& message) {
    smtp::Reply go = upstream.begin_data();
    if (go.code != 354) return go;
    message.lines([&](std::string_view line) { upstream.line(line); });
    return upstream.end_data();
}

}  // namespace orou::forward
