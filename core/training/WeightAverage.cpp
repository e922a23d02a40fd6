#include "core/training/WeightAverage.h"

#include <sstream>
#include <stdexcept>

namespace resnest::training {

io::TensorMap WeightAverage::mean(const std::vector<io::TensorMap>& maps) {
    if (maps.size() < 2)
        throw std::invalid_argument("averaging weights needs at least two models");
    const io::TensorMap& first = maps.front();
    for (size_t m = 1; m < maps.size(); ++m) {
        if (maps[m].size() != first.size())
            throw std::invalid_argument("model " + std::to_string(m + 1) + " has " +
                                        std::to_string(maps[m].size()) + " tensors, model 1 has " +
                                        std::to_string(first.size()));
        for (const auto& [name, tensor] : first) {
            const auto other = maps[m].find(name);
            if (other == maps[m].end())
                throw std::invalid_argument("model " + std::to_string(m + 1) + " has no tensor " + name);
            if (!other->second.sizes().equals(tensor.sizes()) ||
                other->second.is_floating_point() != tensor.is_floating_point()) {
                std::ostringstream s;
                s << name << " is " << other->second.sizes() << " " << other->second.scalar_type()
                  << " in model " << m + 1 << " but " << tensor.sizes() << " " << tensor.scalar_type()
                  << " in model 1";
                throw std::invalid_argument(s.str());
            }
        }
    }
    io::TensorMap out;
    for (const auto& [name, tensor] : first) {
        if (!tensor.is_floating_point()) {
            out.emplace(name, tensor.clone());
            continue;
        }
        torch::Tensor sum = torch::zeros(tensor.sizes(), torch::kDouble);
        for (const io::TensorMap& map : maps)
            sum += map.at(name).to(torch::kCPU, torch::kDouble);
        out.emplace(name, (sum / double(maps.size())).to(torch::kFloat));
    }
    return out;
}

} // namespace resnest::training
