#include "app/cli/ArgumentList.h"

#include <cmath>

namespace resnest::cli {

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
    auto it = values_.find(name);
    if (it == values_.end())
        return fallback;
    try {
        size_t used = 0;
        const int v = std::stoi(it->second, &used);
        if (used == it->second.size())
            return v;
    } catch (const std::exception&) {
    }
    throw std::invalid_argument("option --" + name + " expects an integer, got '" + it->second + "'");
}

double ArgumentList::getDouble(const std::string& name, double fallback) const {
    auto it = values_.find(name);
    if (it == values_.end())
        return fallback;
    try {
        size_t used = 0;
        const double v = std::stod(it->second, &used);
        if (used == it->second.size() && std::isfinite(v))
            return v;
    } catch (const std::exception&) {
    }
    throw std::invalid_argument("option --" + name + " expects a number, got '" + it->second + "'");
}

} // namespace resnest::cli
