#include "app/cli/ArgumentList.h"

#include <cmath>

namespace resnest::cli {
namespace {

// The value of --name converted whole by `parse`, or `fallback` when absent: a malformed value is an error
// that names the option, never a silent fallback.
template <class T, class Parse>
T converted(const std::map<std::string, std::string>& values, const std::string& name, T fallback,
            const char* expected, Parse parse) {
    const auto it = values.find(name);
    if (it == values.end())
        return fallback;
    try {
        size_t used = 0;
        const T v = parse(it->second, &used);
        if (used == it->second.size())
            return v;
    } catch (const std::exception&) {
    }
    throw std::invalid_argument("option --" + name + " expects " + expected + ", got '" + it->second + "'");
}

} // namespace

ArgumentList::ArgumentList(const std::vector<std::string>& args, const std::set<std::string>& valued,
                           const std::set<std::string>& flags) {
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a.rfind("--", 0) != 0 || a == "--") {
            positional_.push_back(a);
            continue;
        }
        std::string name = a.substr(2), value;
        const auto eq = name.find('=');
        const bool inlineValue = eq != std::string::npos;
        if (inlineValue) {
            value = name.substr(eq + 1);
            name = name.substr(0, eq);
        }
        if (flags.count(name) && !inlineValue) {
            flags_.insert(name);
        } else if (valued.count(name)) {
            if (!inlineValue) {
                if (i + 1 >= args.size())
                    throw std::invalid_argument("option --" + name + " needs a value");
                value = args[++i];
            }
            values_[name] = value;
        } else {
            throw std::invalid_argument("unknown option --" + name);
        }
    }
}

std::string ArgumentList::get(const std::string& name, const std::string& fallback) const {
    auto it = values_.find(name);
    return it == values_.end() ? fallback : it->second;
}

int ArgumentList::getInt(const std::string& name, int fallback) const {
    return converted(values_, name, fallback, "an integer",
                     [](const std::string& text, size_t* used) { return std::stoi(text, used); });
}

double ArgumentList::getDouble(const std::string& name, double fallback) const {
    return converted(values_, name, fallback, "a number", [](const std::string& text, size_t* used) {
        const double v = std::stod(text, used);
        if (!std::isfinite(v))
            throw std::out_of_range(text);
        return v;
    });
}

} // namespace resnest::cli
