#include "core/detection/Nms.h"

#include "core/detection/NmsKernel.h"

#include <algorithm>
#include <vector>

namespace resnest::detection {

namespace {

// Largest IoU block (rows x remaining columns) computed in one go: bounds memory for huge inputs while
// keeping the number of tensor calls (and device round trips) small.
constexpr int64_t kMaxBlockElements = int64_t(1) << 24;
constexpr int64_t kMaxBlockRows = 512;

void checkInputs(const torch::Tensor& boxes, const torch::Tensor& scores) {
    TORCH_CHECK(boxes.dim() == 2 && boxes.size(1) == 4, "Nms: expected boxes of shape (K, 4), got ",
                boxes.sizes());
    TORCH_CHECK(scores.dim() == 1, "Nms: expected scores of shape (K), got ", scores.sizes());
    TORCH_CHECK(boxes.size(0) == scores.size(0), "Nms: ", boxes.size(0), " boxes but ", scores.size(0),
                " scores");
    TORCH_CHECK(boxes.is_floating_point(), "Nms: boxes must be floating point, got ", boxes.scalar_type());
    TORCH_CHECK(boxes.device() == scores.device(), "Nms: boxes on ", boxes.device(), " but scores on ",
                scores.device());
}

// torchvision compares the IoU, promoted to double, with the double threshold.
torch::Tensor exceeds(const torch::Tensor& iou, double threshold) {
    if (iou.scalar_type() == torch::kFloat64) {
        return iou.gt(threshold);
    }
    if (iou.scalar_type() == torch::kFloat32) {
        return iou.gt(double(NmsKernel::floatThreshold(threshold)));
    }
    return iou.to(torch::kFloat64).gt(threshold);
}

// The greedy pass over boxes in score order with LibTorch ops (any device and dtype): one block's IoUs
// against every alive box are computed by tensor ops, the sequential decisions run on a CPU bool matrix, and
// the suppressed boxes leave before the next block, so suppressed boxes never cost a row. Returns positions
// in `sorted`.
std::vector<int64_t> blockedGreedy(const torch::Tensor& sorted, double iouThreshold) {
    const int64_t count = sorted.size(0);
    const auto longOnDevice = torch::TensorOptions().dtype(torch::kInt64).device(sorted.device());
    const auto x1 = sorted.select(1, 0), y1 = sorted.select(1, 1);
    const auto x2 = sorted.select(1, 2), y2 = sorted.select(1, 3);
    const auto areas = (x2 - x1) * (y2 - y1);

    std::vector<int64_t> kept;
    auto alive = torch::arange(count, longOnDevice); // positions in the sorted order
    while (alive.size(0) > 0) {
        const int64_t remaining = alive.size(0);
        const int64_t rows =
            std::max<int64_t>(1, std::min({kMaxBlockRows, remaining, kMaxBlockElements / remaining}));
        const auto blockPos = alive.slice(0, 0, rows);
        const auto bx1 = x1.index_select(0, blockPos).unsqueeze(1),
                   by1 = y1.index_select(0, blockPos).unsqueeze(1);
        const auto bx2 = x2.index_select(0, blockPos).unsqueeze(1),
                   by2 = y2.index_select(0, blockPos).unsqueeze(1);
        const auto bArea = areas.index_select(0, blockPos).unsqueeze(1);
        const auto ax1 = x1.index_select(0, alive), ay1 = y1.index_select(0, alive);
        const auto ax2 = x2.index_select(0, alive), ay2 = y2.index_select(0, alive);
        const auto aArea = areas.index_select(0, alive);

        // Same operations in the same order as torchvision's kernel so the IoUs round identically.
        const auto w = (torch::min(bx2, ax2) - torch::max(bx1, ax1)).clamp_min(0);
        const auto h = (torch::min(by2, ay2) - torch::max(by1, ay1)).clamp_min(0);
        const auto inter = w * h;
        const auto iou = inter / (bArea + aArea - inter);
        const auto over = exceeds(iou, iouThreshold).to(torch::kCPU).contiguous();

        auto overAcc = over.accessor<bool, 2>();
        std::vector<char> removed(size_t(remaining), 0);
        const auto blockPosCpu = blockPos.to(torch::kCPU).contiguous();
        const int64_t* blockPosPtr = blockPosCpu.data_ptr<int64_t>();
        for (int64_t r = 0; r < rows; ++r) {
            if (removed[size_t(r)]) {
                continue;
            }
            kept.push_back(blockPosPtr[r]);
            const auto row = overAcc[r];
            for (int64_t j = r + 1; j < remaining; ++j) {
                removed[size_t(j)] |= char(row[j]);
            }
        }

        // Survivors after the block (the block itself is decided).
        std::vector<int64_t> next;
        next.reserve(size_t(remaining - rows));
        for (int64_t j = rows; j < remaining; ++j) {
            if (!removed[size_t(j)]) {
                next.push_back(j);
            }
        }
        if (next.empty()) {
            break;
        }
        const auto nextIdx =
            torch::from_blob(next.data(), {int64_t(next.size())}, torch::kInt64).to(alive.device());
        alive = alive.index_select(0, nextIdx);
    }

    return kept;
}

} // namespace

torch::Tensor Nms::nms(const torch::Tensor& boxes, const torch::Tensor& scores, double iouThreshold,
                       OpPath path) {
    checkInputs(boxes, scores);
    const int64_t count = boxes.size(0);
    const auto longOnDevice = torch::TensorOptions().dtype(torch::kInt64).device(boxes.device());
    if (count == 0) {
        return torch::empty({0}, longOnDevice);
    }

    // torchvision sorts stably, so equal scores keep their input order.
    const auto order = std::get<1>(torch::sort(scores, /*stable=*/true, /*dim=*/0, /*descending=*/true));
    const auto sorted = boxes.index_select(0, order).contiguous();
    auto kept = path == OpPath::Fastest && NmsKernel::takes(sorted) ? NmsKernel::keep(sorted, iouThreshold)
                                                                    : blockedGreedy(sorted, iouThreshold);
    const auto keptPos =
        torch::from_blob(kept.data(), {int64_t(kept.size())}, torch::kInt64).to(boxes.device());
    return order.index_select(0, keptPos);
}

torch::Tensor Nms::batched(const torch::Tensor& boxes, const torch::Tensor& scores, const torch::Tensor& idxs,
                           double iouThreshold, OpPath path) {
    checkInputs(boxes, scores);
    TORCH_CHECK(idxs.dim() == 1 && idxs.size(0) == boxes.size(0), "Nms::batched: expected idxs of shape (",
                boxes.size(0), "), got ", idxs.sizes());
    if (boxes.numel() == 0) {
        return torch::empty({0}, torch::TensorOptions().dtype(torch::kInt64).device(boxes.device()));
    }
    // Many boxes (a detector with a low score threshold: up to 1000 proposals x 90 classes): one NMS per
    // category, as torchvision switches to above 4000 boxes on CPU (20000 on CUDA). The kept set is the same
    // as with the coordinate trick; each category's NMS only compares that category's boxes.
    const int64_t vanillaAbove = boxes.is_cuda() ? 20000 : 4000;
    if (boxes.size(0) > vanillaAbove) {
        const auto order = std::get<1>(torch::sort(idxs, /*stable=*/c10::optional<bool>(true), 0, false));
        const auto counts = std::get<2>(torch::unique_consecutive(idxs.index_select(0, order), false, true))
                                .to(torch::kCPU)
                                .contiguous();
        std::vector<torch::Tensor> kept;
        int64_t start = 0;
        const int64_t* n = counts.data_ptr<int64_t>();
        for (int64_t c = 0; c < counts.size(0); ++c) {
            const auto members = order.narrow(0, start, n[c]);
            start += n[c];
            kept.push_back(members.index_select(
                0, nms(boxes.index_select(0, members), scores.index_select(0, members), iouThreshold, path)));
        }
        const auto keep = std::get<0>(torch::sort(torch::cat(kept)));
        const auto byScore = std::get<1>(
            torch::sort(scores.index_select(0, keep), /*stable=*/c10::optional<bool>(true), 0, true));
        // Equal scores keep their input order, as the coordinate trick's stable sort does.
        return keep.index_select(0, byScore);
    }
    // Shift every category by more than the largest coordinate so that boxes of different categories never
    // overlap; one NMS then handles all categories (torchvision's coordinate trick, same arithmetic).
    const auto maxCoordinate = boxes.max();
    const auto offsets = idxs.to(boxes.options()) * (maxCoordinate + 1);
    return nms(boxes + offsets.unsqueeze(1), scores, iouThreshold, path);
}

} // namespace resnest::detection
