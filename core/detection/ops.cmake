# Detection operators (NMS, RoIAlign, boxes, anchors) from LibTorch ops only.
target_sources(resnest_nn PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/AnchorGenerator.cpp
  ${CMAKE_CURRENT_LIST_DIR}/BoxCoder.cpp
  ${CMAKE_CURRENT_LIST_DIR}/BoxOps.cpp
  ${CMAKE_CURRENT_LIST_DIR}/MultiScaleRoIAlign.cpp
  ${CMAKE_CURRENT_LIST_DIR}/Nms.cpp
  ${CMAKE_CURRENT_LIST_DIR}/RoIAlign.cpp)
