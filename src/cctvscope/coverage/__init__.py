"""Coverage engine: image-detail reach, view wedges and occlusion by buildings.

All geometry is in metres on the British National Grid (EPSG:27700). Bearings
are compass bearings, clockwise from grid north.
"""
