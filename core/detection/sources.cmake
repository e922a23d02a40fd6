# Faster / Mask R-CNN with FPN.
target_sources(resnest_nn PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/BackboneWithFPN.cpp
  ${CMAKE_CURRENT_LIST_DIR}/FastRCNNPredictor.cpp
  ${CMAKE_CURRENT_LIST_DIR}/FasterRCNN.cpp
  ${CMAKE_CURRENT_LIST_DIR}/FeaturePyramidNetwork.cpp
  ${CMAKE_CURRENT_LIST_DIR}/MaskRCNNHeads.cpp
  ${CMAKE_CURRENT_LIST_DIR}/MaskRCNNPredictor.cpp
  ${CMAKE_CURRENT_LIST_DIR}/RCNNTransform.cpp
  ${CMAKE_CURRENT_LIST_DIR}/RegionProposalNetwork.cpp
  ${CMAKE_CURRENT_LIST_DIR}/RPNHead.cpp
  ${CMAKE_CURRENT_LIST_DIR}/RoIBoxHead.cpp
  ${CMAKE_CURRENT_LIST_DIR}/RoIHeads.cpp)
