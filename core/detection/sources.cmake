# Faster / Mask R-CNN with FPN.
target_sources(resnest_nn PRIVATE)
